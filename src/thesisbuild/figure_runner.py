"""Runs one figure script and saves its matplotlib figure reproducibly (used by thesisbuild.figures).

    python -m thesisbuild.figure_runner SCRIPT OUT.svg OUT.png DPI
"""

from __future__ import annotations

import runpy
import sys


def main(argv: list[str]) -> int:
    script, svg, png, dpi = argv[1], argv[2], argv[3], int(argv[4])
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({
        "font.family": "serif",
        "font.serif": ["STIXGeneral"],      # the thesis's Times-metric font, shipped with matplotlib
        "mathtext.fontset": "stix",
        "svg.fonttype": "path",             # glyphs as outlines: no font lookup when the PDF is made
        "svg.hashsalt": "thesisbuild",      # stable ids inside the SVG
        "path.simplify": True,
    })
    runpy.run_path(script, run_name="__main__")
    numbers = plt.get_fignums()
    if not numbers:
        # lazy: start-up time; the runner starts once per figure script and needs this only here
        from .i18n import tr

        print(f"{script}: " + tr("the script drew no figure"), file=sys.stderr)
        return 3
    figure = plt.figure(numbers[-1])
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    figure.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

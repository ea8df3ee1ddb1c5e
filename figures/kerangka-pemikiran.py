"""Kerangka pemikiran: concepts -> Kazakhstan's multi-vector strategy -> its two relations."""

import matplotlib.pyplot as plt
import yaml
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

DATA = ("kerangka-pemikiran.yaml",)

with open(DATA[0], encoding="utf-8") as handle:
    frame = yaml.safe_load(handle)

fig, ax = plt.subplots(figsize=(5.5, 3.4))
ax.set_xlim(0, 10)
ax.set_ylim(0, 6.2)
ax.axis("off")


def box(x, y, text, width=2.9, height=0.9, weight="normal"):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.05,rounding_size=0.12", linewidth=0.9,
                                edgecolor="black", facecolor="white"))
    ax.text(x, y, text, ha="center", va="center", fontsize=9.5, weight=weight, wrap=True)
    return x, y, height


def arrow(start, end):
    (x0, y0, h0), (x1, y1, h1) = start, end
    ax.add_patch(FancyArrowPatch((x0, y0 - h0 / 2), (x1, y1 + h1 / 2), arrowstyle="-|>",
                                 mutation_scale=10, linewidth=0.9, color="black",
                                 shrinkA=2, shrinkB=2))


concepts = [box(1.7 + i * 3.3, 5.4, name) for i, name in enumerate(frame["concepts"])]
strategy = box(5.0, 3.2, frame["strategy"], width=4.6, weight="bold")
relations = [box(2.6 + i * 4.8, 1.0, name, width=3.8) for i, name in enumerate(frame["relations"])]
for concept in concepts:
    arrow(concept, strategy)
for relation in relations:
    arrow(strategy, relation)
fig.tight_layout(pad=0.2)

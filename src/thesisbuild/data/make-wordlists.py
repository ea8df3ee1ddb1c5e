"""Rebuild id-hunspell.txt.gz and en-words.txt.gz from the system's hunspell dictionaries.

    apt-get install hunspell-id hunspell-en-us hunspell-tools wamerican-huge
    python src/thesisbuild/data/make-wordlists.py

Indonesian: the stems of id_ID.dic (LibreOffice's Indonesian dictionary by Ali Ahmadi, LGPL-3),
without their affix flags; the suspect check reduces inflected forms to these stems itself.
English: every form of en_US.dic expanded with its affix file by `unmunch`, and the words of
SCOWL's "huge" American list (Debian wamerican-huge), both from SCOWL (Kevin Atkinson and others;
permissive licence, notice below); words of letters only, lower-cased (names such as
"Indonesian" included).
"""

from __future__ import annotations

import gzip
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
HUNSPELL = Path("/usr/share/hunspell")
_LETTERS = re.compile(r"[a-z]+")
_WORD = re.compile(r"[A-Za-z]+")

ID_HEADER = """\
# Indonesian stems from the hunspell dictionary id_ID (LibreOffice dictionaries, Debian package
# hunspell-id 7.5). Copyright (C) 2017 Ali Ahmadi <idnux09@gmail.com>. Licence: LGPL-3.0, whose
# text is beside this file (id-hunspell.LGPL-3.0.txt, with the GPL-3.0 it extends in
# id-hunspell.GPL-3.0.txt). Affix flags removed; one lower-case word a line.
"""

EN_HEADER = """\
# English words from SCOWL: the hunspell dictionary en_US (Debian package hunspell-en-us
# 2020.12.07) with all inflected forms expanded by unmunch, and the "huge" American word list
# (Debian package wamerican-huge 2020.12.07); words of letters only, lower-cased, one a line.
# Copyright 2000-2011 by Kevin Atkinson and the authors named in SCOWL's README.
# Permission to use, copy, modify, distribute and sell these word lists, the associated scripts,
# the output created from the scripts, and its documentation for any purpose is hereby granted
# without fee, provided that the above copyright notice appears in all copies and that both that
# copyright notice and this permission notice appear in supporting documentation. Kevin Atkinson
# makes no representations about the suitability of this array for any purpose. It is provided
# "as is" without express or implied warranty.
"""


def write(path: Path, header: str, words: set[str]) -> None:
    body = header + "\n".join(sorted(words)) + "\n"
    # mtime=0: the same words give the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
        f.write(body.encode("utf-8"))
    print(f"{path.name}: {len(words)} words, {path.stat().st_size} bytes")


def main() -> None:
    dic = (HUNSPELL / "id_ID.dic").read_text(encoding="iso-8859-1").splitlines()[1:]
    stems = {line.split("/", 1)[0].strip().lower() for line in dic}
    write(HERE / "id-hunspell.txt.gz", ID_HEADER, {w for w in stems if _LETTERS.fullmatch(w)})

    out = subprocess.run(["unmunch", str(HUNSPELL / "en_US.dic"), str(HUNSPELL / "en_US.aff")],
                         capture_output=True, check=True).stdout.decode("utf-8", "replace")
    words = set(out.splitlines())
    words |= set(Path("/usr/share/dict/american-english-huge").read_text(encoding="utf-8").splitlines())
    write(HERE / "en-words.txt.gz", EN_HEADER, {w.strip().lower() for w in words if _WORD.fullmatch(w.strip())})


if __name__ == "__main__":
    main()

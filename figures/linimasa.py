"""Linimasa: the dated events that BAB I names, from independence to the invasion of Ukraine.
`year` orders the events; `when` is the date as the chapter gives it."""

import csv
import textwrap

import matplotlib.pyplot as plt

DATA = ("linimasa.csv",)

with open(DATA[0], encoding="utf-8", newline="") as handle:
    events = list(csv.DictReader(handle))

# One row per event, in the order of `year`: the date left of the line, the event right of it.
rows = sorted(events, key=lambda e: float(e["year"]))
fig, ax = plt.subplots(figsize=(5.5, 0.42 * len(rows) + 0.3))
ax.set_xlim(0, 10)
ax.set_ylim(len(rows) - 0.4, -0.6)
ax.axis("off")
ax.plot([3.0, 3.0], [-0.35, len(rows) - 0.65], color="black", linewidth=1.0)
for row, event in enumerate(rows):
    ax.plot(3.0, row, "o", color="black", markersize=4)
    ax.text(2.7, row, event["when"], ha="right", va="center", fontsize=9)
    ax.text(3.3, row, "\n".join(textwrap.wrap(event["event"], 52)), ha="left", va="center", fontsize=9,
            linespacing=1.05)
fig.tight_layout(pad=0.2)

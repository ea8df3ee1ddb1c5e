"""Example chart: respondents per group, from example-chart.csv.

Each script in figures/ draws one matplotlib figure. Its file name is the figure's id
(fig-example-chart). DATA names the data files the script reads: `doit` runs the script again only
when the script or its data changed. The build sets the font and the file formats."""

import csv

import matplotlib.pyplot as plt

DATA = ("example-chart.csv",)

with open(DATA[0], encoding="utf-8", newline="") as handle:
    rows = list(csv.DictReader(handle))

fig, ax = plt.subplots(figsize=(5.0, 2.8))
ax.bar([row["group"] for row in rows], [int(row["respondents"]) for row in rows],
       color="0.75", edgecolor="black", linewidth=0.8)
ax.set_xlabel("Group")
ax.set_ylabel("Respondents")
ax.spines[["top", "right"]].set_visible(False)
ax.yaxis.get_major_locator().set_params(integer=True)
fig.tight_layout(pad=0.2)

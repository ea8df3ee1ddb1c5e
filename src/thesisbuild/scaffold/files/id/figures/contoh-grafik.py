"""Contoh grafik: jumlah responden per kelompok, dari contoh-grafik.csv.

Setiap skrip di folder figures/ menggambar satu gambar matplotlib. Nama berkasnya menjadi id
gambar (fig-contoh-grafik). DATA menyebut berkas data yang dibaca skrip: `doit` menjalankan skrip
lagi hanya bila skrip atau datanya berubah. Huruf dan ukuran berkas diatur oleh build."""

import csv

import matplotlib.pyplot as plt

DATA = ("contoh-grafik.csv",)

with open(DATA[0], encoding="utf-8", newline="") as handle:
    rows = list(csv.DictReader(handle))

fig, ax = plt.subplots(figsize=(5.0, 2.8))
ax.bar([row["kelompok"] for row in rows], [int(row["jumlah"]) for row in rows],
       color="0.75", edgecolor="black", linewidth=0.8)
ax.set_xlabel("Kelompok")
ax.set_ylabel("Jumlah responden")
ax.spines[["top", "right"]].set_visible(False)
ax.yaxis.get_major_locator().set_params(integer=True)
fig.tight_layout(pad=0.2)

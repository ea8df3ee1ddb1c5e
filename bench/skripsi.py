"""A generated Indonesian IT skripsi for the suspect-word check: about 16,000 words in five chapters,
written as students write them in pandoc Markdown with raw LaTeX (longtables, \\includegraphics,
\\ref, \\newpage), image paths, URLs, e-mail addresses, code blocks, English terms in italics and
upright, citations, and a list of planted misspellings whose recall the check is measured on.

Deterministic (fixed seed). `make_skripsi(folder)` writes the chapters and returns their paths and
the planted typos as (wrong, right) pairs.
"""

from __future__ import annotations

import random
from pathlib import Path

# Each misspelling replaces one occurrence of its right form; the right forms occur in the text.
PLANTED = (
    ("pengunaan", "penggunaan"),      # dropped letter
    ("sistim", "sistem"),             # non-standard spelling, not in KBBI
    ("menggunkan", "menggunakan"),    # dropped letter
    ("aplikas", "aplikasi"),          # dropped final letter
    ("databse", "database"),          # dropped letter in an English term
    ("metoda", "metode"),             # non-standard spelling of metode
    ("pengujain", "pengujian"),       # transposed letters
    ("kebutuuhan", "kebutuhan"),      # doubled letter
    ("perancagan", "perancangan"),    # dropped letter
    ("implementsi", "implementasi"),  # dropped letter
    ("infromasi", "informasi"),       # transposed letters
    ("berdasarakan", "berdasarkan"),  # inserted letter
    ("mengahsilkan", "menghasilkan"), # transposed letters
    ("halamman", "halaman"),          # doubled letter
    ("dilakuakn", "dilakukan"),       # transposed letters
    ("interfcae", "interface"),       # transposed letters in an English term
)

ENTITIES = ("data pelanggan", "data transaksi", "data barang", "data pengguna", "laporan penjualan",
            "data stok", "riwayat pemesanan", "data pemasok", "jadwal pengiriman", "data pembayaran")
ACTORS = ("admin", "kasir", "pelanggan", "manajer", "staf gudang", "pemilik toko")
PAGES = ("halaman login", "halaman dashboard", "halaman data barang", "halaman laporan",
         "halaman transaksi", "halaman profil", "halaman pengaturan")

BAB1 = [
    "Perkembangan teknologi informasi pada era digital saat ini berlangsung sangat cepat dan memengaruhi hampir seluruh aspek kehidupan, termasuk cara pelaku usaha mengelola {entity}.",
    "Usaha mikro, kecil, dan menengah (UMKM) memiliki peran penting dalam perekonomian nasional, namun sebagian besar masih mencatat {entity} secara manual menggunakan buku besar dan lembar kerja.",
    "Pencatatan secara manual sering menimbulkan kesalahan, keterlambatan penyusunan laporan, serta kesulitan dalam menelusuri {entity} ketika dibutuhkan oleh {actor}.",
    "Berdasarkan hasil wawancara dengan pemilik toko, proses rekapitulasi {entity} setiap akhir bulan membutuhkan waktu hingga tiga hari kerja.",
    "Permasalahan tersebut mendorong perlunya sebuah sistem informasi berbasis web yang mampu mengelola {entity} secara terpusat, cepat, dan akurat.",
    "Sistem informasi merupakan kombinasi dari perangkat keras, perangkat lunak, prosedur, dan sumber daya manusia yang bekerja sama untuk menghasilkan informasi yang berguna bagi pengambilan keputusan [@laudon2020].",
    "Aplikasi berbasis web dipilih karena dapat diakses melalui peramban dari berbagai perangkat tanpa perlu dipasang terlebih dahulu pada setiap komputer.",
    "Penelitian sebelumnya menunjukkan bahwa penerapan sistem informasi persediaan mampu mengurangi selisih stok hingga dua puluh persen [@pratama2021].",
    "Oleh karena itu, penulis mengangkat judul \"Rancang Bangun Sistem Informasi Penjualan Berbasis Web pada Toko Sumber Rezeki\" sebagai topik penelitian ini.",
    "Rumusan masalah dalam penelitian ini adalah bagaimana merancang dan membangun sistem informasi yang dapat membantu {actor} dalam mengelola {entity}.",
    "Tujuan penelitian ini adalah menghasilkan aplikasi yang mempermudah pencatatan {entity} dan mempercepat penyusunan laporan bagi {actor}.",
    "Batasan masalah penelitian ini meliputi ruang lingkup fitur, jenis pengguna, serta data yang diolah, yaitu {entity} pada periode Januari sampai Juni 2024.",
    "Manfaat penelitian bagi penulis adalah menerapkan ilmu yang diperoleh selama perkuliahan, sedangkan bagi instansi adalah tersedianya sistem yang meningkatkan kinerja pegawai.",
    "Sistematika penulisan laporan ini terdiri atas lima bab yang saling berkaitan satu sama lain.",
    "Bab pertama berisi latar belakang, rumusan masalah, batasan masalah, tujuan, manfaat, dan sistematika penulisan.",
    "Selain itu, layanan daring dan luring perlu berjalan beriringan agar pelanggan tetap terlayani ketika koneksi internet terputus.",
    "Pemberitahuan kepada pelanggan dikirimkan melalui surel sehingga informasi pemesanan dapat diterima dengan segera.",
]
BAB2 = [
    "Menurut Sutabri (2016), sistem adalah sekumpulan unsur yang saling berhubungan dan berinteraksi untuk mencapai suatu tujuan tertentu.",
    "Informasi adalah data yang telah diolah menjadi bentuk yang lebih berguna dan lebih berarti bagi penerimanya [@laudon2020].",
    "Basis data atau *database* adalah kumpulan data yang saling berhubungan dan disimpan secara terstruktur sehingga mudah diakses, dikelola, dan diperbarui.",
    "MySQL merupakan sistem manajemen basis data relasional yang bersifat *open source* dan banyak digunakan dalam pengembangan aplikasi web.",
    "PHP (*Hypertext Preprocessor*) adalah bahasa pemrograman sisi server yang dirancang khusus untuk pengembangan web dan dapat disisipkan ke dalam HTML.",
    "Laravel adalah *framework* PHP yang menerapkan pola arsitektur *Model View Controller* (MVC) untuk memisahkan logika bisnis, data, dan tampilan.",
    "Bootstrap adalah *framework* CSS yang menyediakan komponen antarmuka siap pakai sehingga tampilan aplikasi menjadi responsif di berbagai ukuran layar.",
    "*Unified Modeling Language* (UML) adalah bahasa pemodelan standar yang digunakan untuk menspesifikasikan, memvisualisasikan, dan mendokumentasikan perangkat lunak.",
    "*Use case diagram* menggambarkan interaksi antara aktor dengan sistem serta fungsionalitas yang disediakan oleh sistem.",
    "*Activity diagram* menggambarkan alur kerja atau aktivitas dari sebuah proses bisnis maupun menu yang terdapat pada perangkat lunak.",
    "*Class diagram* menggambarkan struktur kelas, atribut, metode, serta relasi antarkelas dalam sistem berorientasi objek.",
    "*Sequence diagram* menggambarkan interaksi antarobjek dalam urutan waktu ketika sebuah skenario dijalankan.",
    "Metode *waterfall* merupakan model pengembangan perangkat lunak yang dilakukan secara berurutan, mulai dari analisis kebutuhan, desain, implementasi, pengujian, hingga pemeliharaan [@pressman2015].",
    "Pengujian *black box* berfokus pada spesifikasi fungsional perangkat lunak tanpa memperhatikan struktur kode program di dalamnya.",
    "Pengujian *white box* memeriksa jalur logika program, percabangan, dan perulangan untuk memastikan setiap baris kode dieksekusi.",
    "*Entity Relationship Diagram* (ERD) digunakan untuk memodelkan hubungan antarentitas dalam basis data beserta kardinalitasnya.",
    "Normalisasi adalah proses pengelompokan atribut data untuk mengurangi redundansi dan anomali ketika data ditambah, diubah, atau dihapus.",
    "Penelitian terdahulu oleh Pratama dan Sari (2021) membangun sistem informasi inventaris menggunakan metode *prototype* dan menghasilkan tingkat kepuasan pengguna sebesar 85 persen.",
    "Validasi masukan dilakukan pada sisi klien dan sisi server agar data yang tersimpan dalam basis data tetap konsisten.",
    "Dataset yang digunakan pada penelitian sejenis umumnya berupa data transaksi selama satu tahun terakhir.",
    "Fitur autentikasi memastikan bahwa hanya pengguna yang berwenang yang dapat mengakses halaman tertentu.",
    "*Responsive web design* adalah pendekatan desain yang membuat tampilan halaman menyesuaikan diri dengan ukuran layar perangkat.",
]
BAB3 = [
    "Penelitian ini menggunakan metode pengembangan sistem *waterfall* yang terdiri atas lima tahapan utama.",
    "Tahap analisis kebutuhan dilakukan melalui observasi langsung, wawancara dengan {actor}, dan studi pustaka terhadap jurnal dan buku yang relevan.",
    "Kebutuhan fungsional sistem meliputi pengelolaan {entity}, pencarian data, pencetakan laporan, serta pengaturan hak akses pengguna.",
    "Kebutuhan nonfungsional meliputi kecepatan akses, keamanan data, kemudahan penggunaan, dan kompatibilitas dengan peramban modern.",
    "Perangkat keras yang digunakan adalah laptop dengan prosesor Intel Core i5, memori 8 GB, dan penyimpanan SSD 512 GB.",
    "Perangkat lunak yang digunakan meliputi sistem operasi Windows 11, Visual Studio Code, XAMPP, dan peramban Google Chrome.",
    "Tahap perancangan menghasilkan rancangan basis data, rancangan proses dengan UML, serta rancangan antarmuka setiap halaman.",
    "Aktor {actor} dapat melihat, menambah, mengubah, dan menghapus {entity} melalui {page}.",
    "Gambar \\ref{fig:usecase} menunjukkan *use case diagram* yang menggambarkan hak akses setiap aktor terhadap fungsi sistem.",
    "Rancangan tabel {entity} disajikan pada Tabel \\ref{tab:struktur} beserta tipe data dan keterangan setiap kolom.",
    "Alur proses pada {page} dimulai ketika {actor} memasukkan data, kemudian sistem memvalidasi masukan dan menyimpannya ke dalam basis data.",
    "Pengumpulan data dilakukan pada bulan Februari sampai April 2024 di lokasi penelitian.",
    "Populasi penelitian adalah seluruh pegawai toko, sedangkan sampel diambil menggunakan teknik sampling jenuh.",
    "Kuesioner disusun menggunakan skala Likert lima tingkat untuk mengukur tingkat kepuasan pengguna terhadap sistem.",
    "Rancangan antarmuka dibuat menggunakan Figma sebelum diterapkan ke dalam kode program.",
    "Metode pengujian yang digunakan adalah pengujian *black box* dengan teknik *equivalence partitioning*.",
]
BAB4 = [
    "Implementasi sistem dilakukan menggunakan bahasa pemrograman PHP dengan *framework* Laravel versi 10 dan basis data MySQL.",
    "Tampilan {page} ditunjukkan pada Gambar \\ref{fig:login}, yang memuat formulir isian dan tombol simpan.",
    "Pada {page}, {actor} dapat mengelola {entity} dengan mudah melalui tabel yang dilengkapi fitur pencarian dan paginasi.",
    "Setiap perubahan {entity} dicatat beserta waktu dan nama pengguna yang melakukannya sehingga dapat ditelusuri kembali.",
    "Kode program untuk menyimpan {entity} ditunjukkan pada potongan kode berikut.",
    "Hasil pengujian *black box* pada {page} menunjukkan bahwa seluruh skenario berjalan sesuai dengan hasil yang diharapkan.",
    "Skenario pengujian disusun berdasarkan kebutuhan fungsional yang telah ditetapkan pada tahap analisis.",
    "Ketika {actor} memasukkan data yang tidak lengkap, sistem menampilkan pesan kesalahan dan tidak menyimpan data tersebut.",
    "Pengujian kinerja menunjukkan waktu muat rata-rata setiap halaman kurang dari dua detik pada jaringan lokal.",
    "Sistem telah dipasang pada *server* toko dan dapat diakses melalui alamat https://toko-sumberrezeki.example.id/admin.",
    "Hasil kuesioner menunjukkan bahwa 87 persen responden menyatakan sistem mudah digunakan dan membantu pekerjaan sehari-hari.",
    "Dokumentasi teknis sistem disimpan di repositori https://github.com/contoh/si-penjualan agar dapat dikembangkan lebih lanjut.",
    "Pertanyaan atau laporan kesalahan dapat dikirimkan kepada pengembang melalui alamat admin@toko-sumberrezeki.example.id.",
    "Tabel \\ref{tab:blackbox} merangkum hasil pengujian fungsional untuk setiap menu yang tersedia.",
    "Fitur ekspor laporan ke dalam format PDF dan Excel memudahkan {actor} dalam menyusun laporan bulanan.",
    "Koneksi aplikasi ke database diatur pada berkas .env sehingga mudah dipindahkan ke server lain.",
    "Rancangan user interface dibuat sederhana agar {actor} dapat mempelajarinya dalam waktu singkat.",
    "Fitur *dashboard* menampilkan ringkasan {entity} dalam bentuk grafik batang sehingga tren penjualan mudah dipahami.",
]
BAB5 = [
    "Berdasarkan hasil penelitian dan pembahasan, dapat disimpulkan bahwa sistem informasi yang dibangun mampu membantu {actor} dalam mengelola {entity}.",
    "Sistem yang dibangun menggunakan metode *waterfall* telah memenuhi seluruh kebutuhan fungsional yang ditetapkan.",
    "Hasil pengujian *black box* menunjukkan bahwa seluruh fungsi berjalan dengan baik dan sesuai dengan rancangan.",
    "Tingkat penggunaan sistem oleh {actor} meningkat setelah pelatihan singkat diberikan.",
    "Tahap implementasi berjalan sesuai jadwal sehingga sistem dapat digunakan sejak bulan Mei 2024.",
    "Penggunaan sistem mempercepat penyusunan laporan dari tiga hari menjadi kurang dari satu jam.",
    "Saran untuk penelitian selanjutnya adalah mengembangkan aplikasi versi seluler agar {actor} dapat mengakses {entity} dari mana saja.",
    "Sistem dapat dikembangkan dengan menambahkan integrasi pembayaran digital dan notifikasi otomatis.",
    "Keamanan sistem perlu ditingkatkan dengan menerapkan autentikasi dua faktor dan enkripsi data sensitif.",
    "Pelatihan bagi pengguna perlu dilakukan secara berkala agar pemanfaatan sistem menjadi lebih optimal.",
]

# Sentences of every chapter: the loanwords, reduplications, hyphenated affixes, upright English
# terms, abbreviations, units and footnotes that real theses are full of.
COMMON = [
    "Data-data yang diperoleh kemudian diolah dan dikelompokkan menurut jenisnya masing-masing.",
    "Pengguna dapat meng-upload berkas gambar produk dan men-download laporan dalam format PDF.",
    "Aplikasi ini diimplementasikan menggunakan software open source sehingga biaya lisensi dapat ditekan.",
    "Sebelum login, pengguna harus memasukkan username dan password yang telah didaftarkan oleh admin.",
    "Proses input data, update data, dan delete data dapat dilakukan melalui menu yang tersedia di sidebar.",
    "Tampilan website dibuat responsive sehingga tetap nyaman dibuka melalui smartphone maupun tablet.",
    "Server yang digunakan memiliki RAM 8GB, prosesor 2,4 GHz, dan sistem operasi Ubuntu 22.04 LTS.",
    "Hal tersebut sejalan dengan pendapat Kadir (2014) yang menyatakan bahwa sistem harus mudah dipelajari.",
    "Teknologi ini telah digunakan secara luas oleh instansi pemerintah, perbankan, dsb.[^catatan]",
    "Dengan demikian, kebutuhan akan sistem yang terkomputerisasi menjadi semakin mendesak dari tahun ke tahun.",
    "Sehubungan dengan hal itu, peneliti melakukan observasi selama dua minggu di Toko Sumber Rezeki, Kabupaten Sleman.",
    "Setiap tombol diberi ikon dan keterangan agar mudah dikenali oleh pengguna yang belum terbiasa dengan komputer.",
    "Kelebihan metode ini antara lain tahapan yang jelas, dokumentasi yang lengkap, dan mudah dikelola.",
    "Kekurangannya, perubahan kebutuhan di tengah pengerjaan sulit diakomodasi karena setiap tahap harus selesai terlebih dahulu.",
    "Hasil perhitungan menunjukkan nilai rata-rata 4,35 yang termasuk dalam kategori sangat baik.",
    "Notifikasi dikirim secara real-time melalui WhatsApp dan e-mail kepada pelanggan yang bersangkutan.",
    "Pada Bab IV dijelaskan hasil implementasi beserta pembahasannya secara rinci.",
    "Sebagaimana dijelaskan oleh Sommerville [@sommerville2016, hlm. 45], rekayasa kebutuhan adalah proses menemukan, menganalisis, dan memeriksa layanan sistem.",
    "Pengelolaan stok yang buruk berdampak pada penumpukan barang di gudang maupun kehabisan barang yang laris.",
    "Kendala yang dihadapi selama penelitian antara lain keterbatasan waktu narasumber dan perangkat yang tersedia.",
]

HEADINGS = {
    1: ("Pendahuluan", ["Latar Belakang", "Rumusan Masalah", "Batasan Masalah", "Tujuan Penelitian",
                        "Manfaat Penelitian", "Sistematika Penulisan"]),
    2: ("Landasan Teori", ["Sistem Informasi", "Basis Data", "Bahasa Pemrograman", "Unified Modeling Language",
                           "Metode Waterfall", "Pengujian Perangkat Lunak", "Penelitian Terdahulu"]),
    3: ("Metodologi Penelitian", ["Tahapan Penelitian", "Analisis Kebutuhan", "Perancangan Sistem",
                                  "Rancangan Basis Data", "Rancangan Antarmuka", "Rancangan Pengujian"]),
    4: ("Hasil dan Pembahasan", ["Implementasi Sistem", "Implementasi Antarmuka", "Pengujian Sistem",
                                 "Hasil Kuesioner", "Pembahasan"]),
    5: ("Penutup", ["Kesimpulan", "Saran"]),
}
SENTENCES = {1: BAB1, 2: BAB2, 3: BAB3, 4: BAB4, 5: BAB5}
SHARE = {1: 0.18, 2: 0.24, 3: 0.22, 4: 0.28, 5: 0.08}

LONGTABLE = r"""
\begin{longtable}{|p{0.5cm}|p{3cm}|p{5cm}|p{3cm}|}
\caption{Hasil pengujian \textit{black box} pada {page}}\label{tab:blackbox-%d}\\
\hline
\textbf{No} & \textbf{Skenario} & \textbf{Hasil yang diharapkan} & \textbf{Kesimpulan} \\
\hline
\endhead
1 & Mengosongkan isian lalu menekan tombol simpan & Sistem menampilkan pesan kesalahan & Valid \\
\hline
2 & Mengisi seluruh data dengan benar & Data tersimpan dan tampil pada tabel & Valid \\
\hline
3 & Menghapus data yang dipilih & Data terhapus dari basis data & Valid \\
\hline
\end{longtable}
"""
FIGURE = r"""
\begin{figure}[H]
\centering
\includegraphics[width=0.8\textwidth]{images/bab%d/%s.png}
\caption{Rancangan {page}}
\label{fig:%s-%d}
\end{figure}
"""
MD_FIGURE = "![Tampilan {page}](figures/screenshot-%d.png){#fig:layar-%d width=80%%}\n"
CODE = """```php
public function store(Request $request)
{
    $validated = $request->validate(['nama_barang' => 'required|max:100', 'harga' => 'numeric']);
    Barang::create($validated);
    return redirect()->route('barang.index')->with('success', 'Data berhasil disimpan');
}
```
"""
PIPE_TABLE = """| Kolom | Tipe Data | Keterangan |
|-------|-----------|------------|
| id_barang | INT(11) | Kunci primer, *auto increment* |
| nama_barang | VARCHAR(100) | Nama barang |
| harga | DECIMAL(10,2) | Harga satuan |

: Struktur tabel barang {#tbl:barang-%d}
"""


def _fill(rng: random.Random, sentence: str) -> str:
    for slot, choices in (("{entity}", ENTITIES), ("{actor}", ACTORS), ("{page}", PAGES)):
        while slot in sentence:
            sentence = sentence.replace(slot, rng.choice(choices), 1)
    return sentence


def make_skripsi(folder: Path, words: int = 14_600, seed: int = 11,
                 typos: tuple[tuple[str, str], ...] = PLANTED) -> tuple[list[Path], list[tuple[str, str]]]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts: dict[int, list[str]] = {}
    for bab, (title, sections) in HEADINGS.items():
        target = int(words * SHARE[bab])
        out = [f"# {title} {{#sec:bab{bab}}}\n", "\\newpage\n"]
        count, block = 0, 0
        per_section = target // len(sections) + 1
        for section in sections:
            out.append(f"## {section}\n")
            written = 0
            while written < per_section:
                pool = rng.sample(SENTENCES[bab], 3) + rng.sample(COMMON, 1)
                rng.shuffle(pool)
                paragraph = " ".join(_fill(rng, s) for s in pool)
                out.append(paragraph + "\n")
                written += len(paragraph.split())
                block += 1
                if bab in (3, 4) and block % 5 == 0:
                    choice = block // 5 % 4
                    if choice == 0:
                        out.append(_fill(rng, LONGTABLE % block))
                    elif choice == 1:
                        name = rng.choice(("usecase", "activity", "erd", "login"))
                        out.append(_fill(rng, FIGURE % (bab, name, name, block)))
                    elif choice == 2:
                        out.append(_fill(rng, MD_FIGURE % (block, block)))
                    else:
                        out.append(CODE if bab == 4 else PIPE_TABLE % block)
            count += written
        texts[bab] = out
    # One misspelling per planted pair, at an occurrence of its right form in a prose paragraph.
    for wrong, right in typos:
        candidates = [(bab, i) for bab, parts in texts.items() for i, p in enumerate(parts)
                      if not p.startswith(("#", "\\", "!", "`", "|")) and f" {right} " in p]
        bab, i = rng.choice(candidates)
        texts[bab][i] = texts[bab][i].replace(f" {right} ", f" {wrong} ", 1)
    texts[1].append("[^catatan]: Lihat laporan tahunan Asosiasi Penyelenggara Jasa Internet Indonesia (APJII) 2023.\n")
    paths = []
    for bab, parts in texts.items():
        path = folder / f"bab{bab}.md"
        path.write_text("\n".join(parts), encoding="utf-8")
        paths.append(path)
    return paths, list(typos)


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="Write the generated skripsi's chapters to a folder.")
    parser.add_argument("folder", nargs="?", type=Path, help="where to write them (default: a new temporary folder)")
    parser.add_argument("--quick", action="store_true", help="a 3,000-word skripsi: checks that it works")
    args = parser.parse_args()
    dest = args.folder or Path(tempfile.mkdtemp())
    chapters, planted = make_skripsi(dest, words=3_000) if args.quick else make_skripsi(dest)
    print(f"{sum(len(p.read_text(encoding='utf-8').split()) for p in chapters)} words in {len(chapters)} chapters, "
          f"{len(planted)} planted misspellings, in {dest}")

"""The content counter itself, on small hand-made sources, PDFs and DOCX files."""

from __future__ import annotations

from pathlib import Path

import pytest

from .content_count import (
    ENGLISH,
    INDONESIAN,
    Caption,
    Item,
    captions_in_lines,
    count_text,
    docx_captions,
    docx_reference_entries,
    image_problems,
    latex_to_text,
    missing_captions,
    numbering_problems,
    pdf_captions,
    pdf_list_entries,
    pdf_reference_entries,
    reference_entries_in_layout,
    unresolved_markers,
)

CHAPTER = r"""# METODOLOGI PENELITIAN

Kebutuhan fungsional dirangkum pada Tabel \ref{tab:kebutuhan}, alurnya pada @fig:waterfall dan
Gambar \ref{fig:usecase}, sedangkan @tbl-spesifikasi memuat perangkat [@sommerville2016; @pressman2019].
Menurut @pressman2019, pengujian dilakukan dengan rumus pada @eq:persentase. Surel admin@sekolah.sch.id
bukan sitasi.

\begin{longtable}{|p{1cm}|p{5cm}|}
\caption{Kebutuhan \textit{fungsional} sistem} \label{tab:kebutuhan} \\
\hline
No & Kebutuhan \\ \hline
\endfirsthead
\caption*{Lanjutan Tabel \ref{tab:kebutuhan}} \\
\endhead
1 & Admin dapat *login* \\

2 & Anggota dapat mencari buku \\ \hline
\end{longtable}

\begin{table}[H]
\centering
\caption{Spesifikasi \textit{server}}
\label{tab:server}
\begin{tabular}{|l|l|}
\hline
CPU & 2 vCPU \\ \hline
\end{tabular}
\end{table}

\begin{longtable}{|l|l|}
\hline
Tanpa & keterangan \\ \hline
\end{longtable}

| Perangkat | Spesifikasi |
|-----------|-------------|
| Laptop    | RAM 8 GB    |

: Spesifikasi perangkat {#tbl-spesifikasi}

| tanpa | judul |
|-------|-------|
| 1     | 2     |

![Model *waterfall*](images/waterfall.png){#fig:waterfall}

![Arsitektur \textit{sistem} \label{fig:arsitektur}](images/arsitektur.png)

Teks dengan gambar sebaris ![ikon](images/ikon.png) di tengah kalimat.

\begin{figure}[H]
\centering
\includegraphics[width=0.8\textwidth]{images/use-case.png}
\caption{\textit{Use case diagram} sistem}
\label{fig:usecase}
\end{figure}

$$P = \frac{\sum T_{berhasil}}{\sum T} \times 100\%$$ {#eq:persentase}

```{.php #lst:simpan caption="Fungsi simpan"}
$buku->save(); // @bukan_sitasi dan ![bukan](gambar.png)
```

```python
print("halo")
```

: Contoh kode {#lst:halo}

<!--
![di dalam komentar](images/lama.png)

| a | b |
|---|---|
| 1 | 2 |

: Tabel lama {#tbl-lama}
-->

Sitasi LaTeX \cite{laudon2020, kendall2014}.
"""


@pytest.fixture(scope="module")
def counts():
    return count_text(CHAPTER, "bab3.md")


def test_tables_with_a_caption_are_counted_in_both_forms(counts):
    assert [(t.form, t.label, t.caption) for t in counts.tables] == [
        ("latex", "tab:kebutuhan", "Kebutuhan fungsional sistem"),
        ("latex", "tab:server", "Spesifikasi server"),
        ("markdown", "tbl-spesifikasi", "Spesifikasi perangkat"),
    ]


def test_figures_are_images_alone_with_a_caption_and_latex_figures(counts):
    assert [(f.form, f.label, f.caption) for f in counts.figures] == [
        ("markdown", "fig:waterfall", "Model waterfall"),
        ("markdown", "fig:arsitektur", "Arsitektur sistem"),
        ("latex", "fig:usecase", "Use case diagram sistem"),
    ]


def test_listings_equations_and_comments(counts):
    assert [(x.label, x.caption) for x in counts.listings] == [("lst:simpan", "Fungsi simpan"),
                                                               ("lst:halo", "Contoh kode")]
    assert counts.equations == 1


def test_cross_references_of_every_form(counts):
    assert sorted((r.form, r.target) for r in counts.crossrefs) == sorted([
        ("latex", "tab:kebutuhan"), ("pandoc", "fig:waterfall"), ("latex", "fig:usecase"),
        ("pandoc", "tbl-spesifikasi"), ("pandoc", "eq:persentase"),
        ("latex", "tab:kebutuhan"),            # the continuation caption of the longtable
    ])


def test_cited_keys_are_distinct_and_exclude_cross_references(counts):
    assert counts.cited_keys == {"sommerville2016", "pressman2019", "laudon2020", "kendall2014"}


def test_a_figure_environment_inside_a_table_caption_text_is_not_double_counted():
    text = "\\begin{table}\n\\caption{Luar}\n\\begin{longtable}{l}\n\\caption{Dalam}\\\\\n" \
           "a \\\\\n\\end{longtable}\n\\end{table}\n"
    assert [t.caption for t in count_text(text).tables] == ["Luar"]


def test_latex_to_text():
    assert latex_to_text(r"Hasil \textbf{pengujian} \textit{black box} 100\% \label{x}") == \
        "Hasil pengujian black box 100%"


# ---------------------------------------------------------------------------------------------
# PDF


TYPST_PDF = r"""
#set page(paper: "a4", margin: 3cm)
#align(center)[DAFTAR GAMBAR]

Gambar 1.1 Arsitektur sistem #box(width: 1fr, repeat[. ]) 2

Gambar 1.2 Halaman yang hilang dari isi #box(width: 1fr, repeat[. ]) 3
#pagebreak()
Teks yang menyebut Gambar 1.1 di tengah kalimat dan sebuah rujukan yang gagal: Gambar ??.

#align(center)[Gambar 1.1 Arsitektur sistem]

#align(center)[Tabel 1.1 Kebutuhan fungsional]

#align(center)[Tabel 2.1 Hasil pengujian]
#pagebreak()
#align(center)[DAFTAR PUSTAKA]

#set par(hanging-indent: 1.27cm)
Abdelal, R., Herrera, Y. M., Johnston, A. I., & McDermott, R. (2006). Identity as a variable. Perspectives on Politics, 4(4), 695–711, and more words so that the entry needs a second line.

Hopf, T. (2002). Social construction of international politics. Cornell University Press.
#pagebreak()
Sommerville, I. (2016). Software engineering (10th ed.). Pearson, and more words so that this entry also needs a second line.
#pagebreak()
#align(center)[LAMPIRAN]

Bukan entri pustaka.
"""


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    import typst

    folder = tmp_path_factory.mktemp("pdf")
    (folder / "a.typ").write_text(TYPST_PDF, encoding="utf-8")
    typst.compile(str(folder / "a.typ"), output=str(folder / "a.pdf"))
    return folder / "a.pdf"


def test_pdf_captions_skip_the_list_pages_and_count_each_label_once(pdf):
    assert [(c.kind, c.number) for c in pdf_captions(pdf)] == [("figure", "1.1"), ("table", "1.1"),
                                                                ("table", "2.1")]


def test_pdf_list_entries_are_read_from_the_list_pages_only(pdf):
    assert [(c.kind, c.number) for c in pdf_list_entries(pdf)] == [("figure", "1.1"), ("figure", "1.2")]


def test_pdf_captions_with_english_labels_find_nothing_in_an_indonesian_pdf(pdf):
    assert pdf_captions(pdf, ENGLISH) == []


def test_pdf_reference_entries_across_pages_until_the_next_chapter(pdf):
    entries = pdf_reference_entries(pdf)
    assert [e.split(",")[0] for e in entries] == ["Abdelal", "Hopf", "Sommerville"]
    assert entries[0].endswith("needs a second line.")


def test_numbered_reference_lists():
    page = ("                 References\n\n"
            "[1]  I. Sommerville, Software Engineering. Pearson,\n"
            "     2016.\n"
            "[2]  R. S. Pressman, Software Engineering: A Practitioner's\n"
            "     Approach, 9th ed. McGraw-Hill, 2019.\n")
    assert len(reference_entries_in_layout([page], ENGLISH)) == 2


def test_unresolved_markers_in_the_pdf(pdf):
    from .content_count import pdf_text

    found = unresolved_markers(pdf_text(pdf))
    assert any("??" in f for f in found)


# ---------------------------------------------------------------------------------------------
# DOCX


@pytest.fixture(scope="module")
def docx_file(tmp_path_factory) -> Path:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    for name in ("Image Caption", "Table Caption", "Bibliography"):
        document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Gambar 1.1 Arsitektur sistem\t4", style="toc 1") \
        if "toc 1" in [s.name for s in document.styles] else None
    document.add_heading("PENDAHULUAN", level=1)
    document.add_paragraph("Tabel 1.1 Kebutuhan fungsional", style="Table Caption")
    document.add_paragraph("Gambar 1.1 Arsitektur sistem", style="Image Caption")
    document.add_paragraph("Seperti pada Gambar 1.1, sistem terdiri atas tiga lapis.")
    body = document.styles.add_style("Body Text", WD_STYLE_TYPE.PARAGRAPH) \
        if "Body Text" not in [s.name for s in document.styles] else "Body Text"
    document.add_paragraph("Gambar 1.1 menunjukkan tiga lapis sistem.", style=body)
    document.add_paragraph("Gambar 1.2 Ruang baca perpustakaan", style="Image Caption")
    document.add_heading("DAFTAR PUSTAKA", level=1)
    document.add_paragraph("Hopf, T. (2002). Social construction of international politics.",
                           style="Bibliography")
    document.add_paragraph("")
    document.add_paragraph("Sommerville, I. (2016). Software engineering. Pearson.", style="Bibliography")
    document.add_heading("LAMPIRAN", level=1)
    document.add_paragraph("Bukan entri.")
    path = tmp_path_factory.mktemp("docx") / "a.docx"
    document.save(str(path))
    return path


def test_docx_captions_are_paragraphs_in_a_caption_style(docx_file):
    assert [(c.kind, c.number) for c in docx_captions(docx_file)] == [
        ("table", "1.1"), ("figure", "1.1"), ("figure", "1.2")]


def test_docx_reference_entries_stop_at_the_next_chapter(docx_file):
    assert [e.split(",")[0] for e in docx_reference_entries(docx_file)] == ["Hopf", "Sommerville"]
    assert docx_reference_entries(docx_file, ENGLISH) == []


# ---------------------------------------------------------------------------------------------
# Markers and numbering


@pytest.mark.parametrize("text", [
    "seperti pada Gambar ??.",
    "seperti pada Gambar .",
    "rincian pada Tabel \\ref{tab:blackbox}.",
    "Gambar 3.1 ![x](a.png){#fig:waterfall}",
    "menurut (sommerville2016?)",
    "lihat fig:waterfall?",
    "lihat @tbl-spesifikasi",
    "\\begin{longtable}{|l|l|}",
])
def test_unresolved_markers_are_found(text):
    assert unresolved_markers(text, INDONESIAN, keys=["sommerville2016"]), text


@pytest.mark.parametrize("text", [
    "Bagaimana merancang sistem informasi perpustakaan berbasis web?",
    "Hasil pada Gambar 3.1 dan Tabel 4.2 menunjukkan 100% berhasil.",
    "Konfigurasi berkas config-app.php dan surel admin@sekolah.sch.id.",
    "Daftar tabel. Tabel berikut memuat data.",
])
def test_resolved_prose_is_not_a_marker(text):
    assert unresolved_markers(text, INDONESIAN, keys=["sommerville2016"]) == []


def test_caption_lines_need_a_number_per_chapter():
    lines = ["Gambar 3.1 Model waterfall", "Gambar 3 Model tanpa bab", "Gambar A.1 Formulir wawancara",
             "Tabel 4.10 Hasil pengujian", "Gambar 3.1 Model waterfall (diulang)",
             "Tabel 4.11.", "Figure 2.1: Results"]
    assert [c.number for c in captions_in_lines(lines, INDONESIAN)] == ["3.1", "A.1", "4.10"]
    assert [c.number for c in captions_in_lines(lines, ENGLISH)] == ["2.1"]


def test_numbering_problems():
    good = [Caption("figure", "3.1", ""), Caption("figure", "3.2", ""), Caption("table", "3.1", "")]
    assert numbering_problems(good) == []
    assert numbering_problems([Caption("figure", "3.1", ""), Caption("figure", "3.3", "")])


def test_missing_captions_compares_words_not_layout():
    items = [Item("table", "Hasil pengujian black box pada halaman peminjaman buku", "", "latex", "b4.md"),
             Item("figure", "Halaman login", "", "markdown", "b4.md")]
    output = "Tabel\u00a04.1  Hasil pengujian black box pada hala-\nman peminjaman buku\n"
    assert [i.caption for i in missing_captions(items, output)] == ["Halaman login"]


def test_image_paths_are_collected_and_checked_with_their_case(counts, tmp_path):
    assert sorted(target for _, target in counts.images) == [
        "images/arsitektur.png", "images/ikon.png", "images/use-case.png", "images/waterfall.png"]
    (tmp_path / "images").mkdir()
    for name in ("arsitektur.png", "ikon.png", "use-case.PNG"):
        (tmp_path / "images" / name).write_bytes(b"")
    assert sorted(image_problems(counts, tmp_path)) == ["bab3.md: images/use-case.png",
                                                        "bab3.md: images/waterfall.png"]

"""The package's modules import one way: core -> checks and transforms -> the prepared document ->
one renderer per output -> drafts -> verify -> build and the commands. No import cycle, and no
import inside a function hiding one: such an import of the package's own module is allowed only
downward, with a comment saying why it is lazy (start-up time, a heavy dependency)."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "thesisbuild"

# Each layer, lowest first, with its modules (dotted, below thesisbuild; "" is the package itself).
LAYERS: list[tuple[str, set[str]]] = [
    ("core", {"", "config", "profile_schema", "sources", "bibliography", "citations", "cslrender", "prose",
              "words", "i18n", "errors", "diagnostics", "report", "yamlfile", "fsutil", "escape", "epoch",
              "pandoc", "pages"}),
    ("checks", {"checks", "checks.bibliography", "checks.citations", "checks.crossrefs", "checks.images",
                "checks.latex", "checks.raw", "checks.review_notes", "checks.document", "checks.structure", "checks.typos", "lint", "typos", "fixes"}),
    ("document", {"render", "render.document", "render.assemble"}),
    ("renderers", {"render.pdf", "render.parts", "render.docx", "render.docx_layout", "render.docx_fields",
                    "render.glyphs", "render.typst_server"}),
    ("drafts", {"drafts"}),
    ("review", {"review", "review.returned", "review.sourcemap", "review.locate", "review.items", "review.report",
                "review.apply", "review.register", "review.untracked"}),
    ("verify", {"verify", "verify.common", "verify.pdf", "verify.docx", "verify.rendered", "verify.schema",
                "verify.page_keys"}),
    ("build", {"build", "figures", "figure_runner", "preview", "scaffold", "scaffold.survey", "manifest"}),
    ("tasks", {"tasks", "dodo", "watch", "reproduce"}),
    ("cli", {"cli", "scaffold.files.common.dodo"}),
]
LAYER = {module: index for index, (_, modules) in enumerate(LAYERS) for module in modules}
NAMES = [name for name, _ in LAYERS]

# Which layers each layer may import: its own and those below, except that verify measures the
# outputs against the profile and so never reads the renderers' (or the drafts') own tables.
ALLOWED: dict[str, set[str]] = {name: set(NAMES[:index + 1]) for index, name in enumerate(NAMES)}
ALLOWED["verify"] = {"core", "checks", "verify"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# Importable modules only (data/make-wordlists.py and the scaffold's figure scripts are run, not imported).
MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
           if all(part.isidentifier() for part in p.relative_to(PACKAGE).with_suffix("").parts)}


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The package's own modules an import statement loads (a name imported from a package that is
    itself a module counts as that module)."""
    if isinstance(node, ast.Import):
        return [a.name.removeprefix("thesisbuild").lstrip(".") for a in node.names
                if a.name == "thesisbuild" or a.name.startswith("thesisbuild.")]
    if node.level:
        base = module.split(".") if module else []
        if not is_package:
            base = base[:-1]
        base = base[:len(base) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    elif node.module and (node.module == "thesisbuild" or node.module.startswith("thesisbuild.")):
        target = node.module.removeprefix("thesisbuild").lstrip(".")
    else:
        return []
    out = []
    for alias in node.names:
        sub = f"{target}.{alias.name}".lstrip(".")
        out.append(sub if sub in MODULES else target)
    return out


def _comments(text: str) -> dict[int, str]:
    return {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT}


def _scan_module(module: str, text: str, is_package: bool = False):
    """The module's imports of the package's own modules: (importer, imported, line, inside a
    function); and the lines of those inside functions with no comment saying why they are lazy."""
    edges: list[tuple[str, str, int, bool]] = []
    unexplained: list[tuple[str, int]] = []
    tree = ast.parse(text)
    lines = text.splitlines()
    comments = _comments(text)
    inner: list[ast.Import | ast.ImportFrom] = []
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner += [n for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom))]
    inner_ids = {id(n) for n in inner}
    explained_end: set[int] = set()      # last lines of lazy imports a following import may lean on
    for node in sorted(set(inner), key=lambda n: n.lineno):
        own = [t for t in _targets(node, module, is_package) if t in MODULES and t != module]
        trailing = any("lazy" in comments.get(n, "") for n in range(node.lineno, node.end_lineno + 1))
        before = node.lineno - 1
        while before > 0 and not lines[before - 1].strip():
            before -= 1
        preceding = "lazy" in comments.get(before, "") and lines[before - 1].strip().startswith("#")
        if trailing or preceding or before in explained_end:
            explained_end.add(node.end_lineno)
        elif own:
            unexplained.append((module, node.lineno))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in _targets(node, module, is_package):
                if target in MODULES and target != module:
                    edges.append((module, target, node.lineno, id(node) in inner_ids))
    return edges, unexplained


def _scan():
    edges, unexplained = [], []
    for module, path in MODULES.items():
        found, bare = _scan_module(module, path.read_text(encoding="utf-8"), path.name == "__init__.py")
        edges += found
        unexplained += bare
    return edges, unexplained


EDGES, UNEXPLAINED = _scan()


def _cycles(edges) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for source, target, _, _ in edges:
        graph.setdefault(source, set()).add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(MODULES):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    assert sorted(set(MODULES) - set(LAYER)) == [], "add the new module to a layer in LAYERS"
    assert sorted(set(LAYER) - set(MODULES)) == [], "a module in LAYERS no longer exists"


def test_the_scan_sees_imports_at_both_levels():
    # The scan must see the imports it judges: render.pdf imports the prepared document at
    # module level, tasks imports verify inside the task that runs it.
    assert ("render.pdf", "render.document") in {(s, t) for s, t, _, inner in EDGES if not inner}
    assert ("tasks", "verify") in {(s, t) for s, t, _, inner in EDGES if inner}


def test_no_import_cycle():
    assert _cycles(EDGES) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles([("drafts", "render.docx", 1, True), ("render.docx", "drafts", 1, False)]) == \
        [["drafts", "render.docx"]]


def _name(module: str) -> str:
    return module or "thesisbuild"


def _wrong_layer(edges) -> list[str]:
    return sorted({f"{_name(source)} imports {_name(target)} ({NAMES[LAYER[source]]} may import only "
                   f"{', '.join(n for n in NAMES if n in ALLOWED[NAMES[LAYER[source]]])})"
                   for source, target, _, _ in edges
                   if NAMES[LAYER[target]] not in ALLOWED[NAMES[LAYER[source]]]})


def _wrong_lazy(edges) -> list[str]:
    return sorted({f"{_name(source)} imports {_name(target)} inside a function; a lazy import points down"
                   for source, target, _, inner in edges if inner and LAYER[target] >= LAYER[source]})


def test_imports_follow_the_layers():
    assert _wrong_layer(EDGES) == []


def test_lazy_imports_say_why_and_point_down():
    assert [f"{_name(m)}.py line {line}: say why this import is lazy in a comment containing 'lazy', "
            f"or import it at the top" for m, line in UNEXPLAINED] == []
    assert _wrong_lazy(EDGES) == []


def test_a_wrong_edge_is_named():
    assert _wrong_layer([("render.docx", "drafts", 1, False)]) == [
        "render.docx imports drafts (renderers may import only core, checks, document, renderers)"]
    assert _wrong_layer([("verify.docx", "render.docx_layout", 1, False)])[0].startswith(
        "verify.docx imports render.docx_layout")
    assert _wrong_lazy([("cli", "watch", 1, True), ("watch", "cli", 1, True)]) == [
        "watch imports cli inside a function; a lazy import points down"]


def test_a_lazy_import_needs_its_reason():
    text = ("def a():\n    from .config import load_thesis\n\n"
            "def b():\n    # lazy: start-up time\n    from .config import load_thesis\n    from .build import outputs\n\n"
            "def c():\n    from .config import load_thesis  # lazy: start-up time\n\n"
            "def d():\n    import typst\n")
    edges, unexplained = _scan_module("cli", text)
    assert unexplained == [("cli", 2)]
    assert sum(inner for *_, inner in edges) == 4


def test_lazy_own_imports_are_counted():
    lazy = sorted({(source, line) for source, _, line, inner in EDGES if inner})
    # cli's verbs; tasks' builders, lint, verify and preview, drafts' renderers and preview's PDF
    # reader, the manifest's font folder (a no-op doit loads none of them); cli's reproduce;
    # figure_runner's one message; cli's and tasks' review (the verb and the task); tasks' early schema
    # check of the DOCX. A new one: import it at the top unless it saves start-up time; if it does,
    # say so beside it and raise this count.
    assert len(lazy) <= 47, lazy

"""docx.valid: the package against the OOXML schemas (openxml-audit, Office 2019 rules), each
distinct element shape validated once.

openxml-audit walks every element and checks its attributes and its children's order against the
schema, in Python: about a second for a 150-page thesis, most of it on paragraphs and runs that
have the shape of many others. An element's schema verdict depends only on
its tag, its attributes, its text (but the free text of w:t and field codes, typed as plain
strings), the namespaces in scope (a QName value's prefix), its children's shapes, the tags of
its parent and grandparent (which of a tag's several schema types applies) and the namespaces
markup compatibility lets it ignore; an element whose all of these match one found valid in the
same part is skipped. With a cache folder, the shapes found valid are kept there (named by
openxml-audit's version and thesisbuild's) for the next verify: after an edit, only the
paragraphs whose shape is new and the elements that hold them are validated again. The rules across elements (unique ids, references between parts) are
openxml-audit's semantic phase, which still reads every element. An element not skipped has its
children's tags checked against its content model once per sequence of tags that fits
(_content_models_once). Where openxml-audit has not the hooks this uses, the package is validated
the plain way.

With a cache folder, the findings for the last package are kept there too, under the hash of its
bytes: verify run again on the same DOCX does not validate it again. And `doit` starts the check
before the DOCX is written (Early): a process that loads openxml-audit's schemas (half a second)
while the lint runs (in a run that verifies) or the DOCX's task finishes the DOCX, validates it as
soon as it is written, and keeps its findings for the verify task that follows."""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from ..fsutil import code_digest, package_stamp, write_atomic

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Elements typed xsd:string: their text is never checked, so it is no part of their shape.
_FREE_TEXT = frozenset({W + "t", W + "delText", W + "instrText", W + "delInstrText"})

# numId 0 is no reference: ECMA-376 Part 1, 17.9.18 reserves it for removing a style's numbering from
# a paragraph (an unnumbered heading under numbered Heading styles; Word writes it so itself), but
# openxml-audit 0.8 reports it as a missing numbering definition.
_NUMBERING_REMOVED = re.compile(r"Numbering definition '0' referenced but not found")
_KEPT = "valid-shapes.json"
_FOUND = "schema-findings.json"


def validate_package(path: str, cache: str | None = None) -> list[str]:
    """The package's problems against the OOXML schemas; `cache`, a folder that keeps the shapes
    found valid between runs."""
    version = _version()
    data = Path(path).read_bytes() if cache else b""
    digest = hashlib.sha256(data).hexdigest() if cache else ""
    if cache:
        kept = _kept_findings(Path(cache), version, digest)
        if kept is not None:
            return kept
    known = _load(Path(cache) / _KEPT, version) if cache else set()
    seen: set[str] = set()
    # No limit on the findings: the numId-0 findings, left out below, would use it up in a thesis
    # of twenty unnumbered headings, and the validator would stop before the rest of the document.
    validator = _docx_validator()
    _validate_shapes_once(validator, known, seen)
    with _siblings_counted_once(), tempfile.TemporaryDirectory(prefix="thesisbuild-schema-") as folder:
        if cache:
            # The bytes hashed are the bytes validated, though a build may replace the file meanwhile.
            path = str(Path(folder) / Path(path).name)
            Path(path).write_bytes(data)
        errors = validator.validate(path).errors
    problems = [str(error) for error in errors if not _NUMBERING_REMOVED.search(str(error))]
    if cache and seen != known:
        # What this package showed valid, so the file holds the shapes of the thesis as it is now.
        write_atomic(Path(cache) / _KEPT, json.dumps({"version": version, "shapes": sorted(seen)}))
    if cache:
        write_atomic(Path(cache) / _FOUND, json.dumps({"version": version, "docx": digest, "problems": problems},
                                                      ensure_ascii=False))
    return problems


def _docx_validator():
    """openxml-audit's validator for a DOCX, without the semantic rules of presentations and
    workbooks, which it builds on every first use (a sixth of a new process's loading) and never
    applies to a DOCX; each content model checked once per sequence of child tags (see
    _content_models_once). Where openxml-audit has not these functions, its plain validator."""
    # lazy: start-up time; the validator loads its schemas only when verify reads a DOCX
    import openxml_audit.validator as module
    from openxml_audit import FileFormat, OpenXmlValidator

    names = ("create_pptx_semantic_validator", "create_spreadsheet_semantic_validator")
    originals = {name: getattr(module, name, None) for name in names}
    try:
        for name, original in originals.items():
            if original is not None:
                setattr(module, name, lambda *args, **kwargs: None)
        validator = OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0)
    finally:
        for name, original in originals.items():
            if original is not None:
                setattr(module, name, original)
    _content_models_once(validator)
    return validator


def _content_models_once(validator) -> None:
    """Make the schema phase check a content model against a sequence of child tags once: whether
    the children fit an element's model depends on their tags alone (and the model, and the
    Office version), and a thesis has thousands of paragraphs and links whose children repeat a
    few dozen sequences. Only fits are remembered: a misfit is checked, and reported, each time."""
    schema = getattr(validator, "_schema_validator", None)
    step = getattr(schema, "_validate_content_model", None)
    if step is None:
        return
    fits: set[tuple] = set()
    models: dict[int, object] = {}      # the models by id, kept alive while their ids are keys

    def validate_content_model(model, children, context):
        key = (id(model), context.file_format, tuple(child.tag for child in children))
        if key in fits:
            return
        before = len(context.errors)
        step(model, children, context)
        if len(context.errors) == before and not context.should_stop:
            models[id(model)] = model
            fits.add(key)

    schema._validate_content_model = validate_content_model


class Early:
    """The schema check of a DOCX that is about to be written, in a process of its own that loads
    openxml-audit's schemas now and validates the DOCX when validate() names it; its findings go
    into the cache folder, where validate_package finds them. A check started and never given a
    DOCX ends with the process that started it."""

    def __init__(self, cache: Path):
        self.cache = cache
        self.path: Path | None = None
        self.process = subprocess.Popen([sys.executable, "-m", __name__, str(cache)], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _STARTED.append(self)

    def validate(self, path: Path) -> None:
        """Validate this DOCX, now written."""
        self.path = Path(path).resolve()
        try:
            self.process.stdin.write((str(self.path) + "\n").encode("utf-8"))
            self.process.stdin.close()
        except OSError:
            self.stop()

    def findings(self, path: Path) -> list[str]:
        """The findings for this DOCX: the early process's, or found now if it did not give them."""
        if self.path == Path(path).resolve():
            try:
                self.process.wait()
            except BaseException:
                self.stop()
                raise
            kept = _kept_findings(self.cache, _version(), hashlib.sha256(Path(path).read_bytes()).hexdigest())
            if self.process.returncode == 0 and kept is not None:
                return kept
        else:
            self.stop()
        return validate_package(str(path), str(self.cache))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass


_STARTED: list[Early] = []


def start_early(cache: Path) -> Early:
    """An early check for the DOCX to be written next: one started and not yet given a DOCX, or a
    new one."""
    for early in _STARTED:
        if early.path is None and early.cache == cache and early.process.poll() is None:
            return early
    return Early(cache)


def early_check(path: Path) -> Early | None:
    """The early check started for this DOCX in this process, taken (once)."""
    for early in _STARTED:
        if early.path == Path(path).resolve():
            _STARTED.remove(early)
            return early
    return None


@atexit.register
def _stop_unused() -> None:
    """A check no verify took is not left running after the build."""
    while _STARTED:
        _STARTED.pop().stop()


@functools.cache
def _version() -> str:
    """What the kept shapes and findings depend on besides the package: openxml-audit (found
    without importing it: a tenth of a second) and this check's code."""
    key = code_digest(Path(__file__)) + "\0" + package_stamp("openxml_audit")
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _kept_findings(cache: Path, version: str, digest: str) -> list[str] | None:
    """The findings kept for the package of this hash, if they are."""
    found = _load_json(cache / _FOUND)
    if found.get("version") == version and found.get("docx") == digest and isinstance(found.get("problems"), list):
        return [str(problem) for problem in found["problems"]]
    return None


def _load_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class _siblings_counted_once:
    """openxml-audit names each element it validates by its place among its parent's children of
    its tag, counting them from the first for every element: quadratic in a part's paragraphs (a
    quarter of the semantic pass at 150 pages, and four times that at 300). Here, while a package
    is validated, a parent's children are counted once. Where openxml-audit has no such function,
    nothing is changed."""

    def __enter__(self) -> None:
        import openxml_audit.context as context

        self.module = context
        self.original = getattr(context, "_sibling_position", None)
        if self.original is None:
            return
        places: dict = {}            # parent -> {child: its place among the children of its tag}

        def sibling_position(element) -> int:
            parent = element.getparent()
            if parent is None:
                return 1
            known = places.get(parent)
            if known is None:
                counts: dict = {}
                known = places[parent] = {}
                for child in parent:
                    counts[child.tag] = counts.get(child.tag, 0) + 1
                    known[child] = counts[child.tag]
            return known[element]

        self.places = places
        context._sibling_position = sibling_position

    def __exit__(self, *exc) -> bool:
        if self.original is not None:
            self.module._sibling_position = self.original
            self.places.clear()
        return False


def _load(path: Path, version: str) -> set[str]:
    kept = _load_json(path)
    if kept.get("version") != version or not isinstance(kept.get("shapes"), list):
        return set()
    return set(kept["shapes"])


def _validate_shapes_once(validator, known: set[str] = frozenset(), seen: set[str] | None = None) -> None:
    """Make the validator's schema phase skip an element whose shape (in its context) it has found
    valid in the same part, or that `known` holds; the valid ones go into `seen` (see the module's
    note)."""
    schema = getattr(validator, "_schema_validator", None)
    element_step = getattr(schema, "_validate_element", None)
    part_step = getattr(schema, "validate_part", None)
    if element_step is None or part_step is None:
        return                                  # another openxml-audit: validated the plain way
    seen = set() if seen is None else seen
    shapes: dict = {}                           # element -> its shape's digest
    current = {"part": ""}

    def validate_part(part, context):
        shapes.clear()
        current["part"] = str(getattr(part, "uri", "") or getattr(part, "name", ""))
        xml = part.xml
        if xml is not None:
            scopes: dict[tuple, str] = {}
            # Children before their parent: the document order reversed.
            for element in reversed(list(xml.iter())):
                tag = element.tag if isinstance(element.tag, str) else repr(element.tag)
                names = tuple(element.nsmap.items())
                if names not in scopes:
                    scopes[names] = hashlib.blake2b(repr(names).encode("utf-8"), digest_size=8).hexdigest()
                shape = repr((tag, sorted(element.attrib.items()), None if tag in _FREE_TEXT else element.text,
                              scopes[names], [shapes[child] for child in element]))
                shapes[element] = hashlib.blake2b(shape.encode("utf-8"), digest_size=12).hexdigest()
        return part_step(part, context)

    def validate_element(element, context, ignorable_ns=frozenset()):
        shape = shapes.get(element)
        if shape is None:
            element_step(element, context, ignorable_ns)
            return
        parent = element.getparent()
        grandparent = parent.getparent() if parent is not None else None
        key = " ".join([current["part"], shape, "" if parent is None else str(parent.tag),
                        "" if grandparent is None else str(grandparent.tag), ",".join(sorted(ignorable_ns))])
        if key in seen or key in known:
            seen.add(key)
            return
        before = len(context.errors)
        element_step(element, context, ignorable_ns)
        # Not when the validator stopped at its error limit: it then checks nothing more.
        if len(context.errors) == before and not context.should_stop:
            seen.add(key)

    # The validator calls these on itself, for the part and for each child it descends to.
    schema.validate_part, schema._validate_element = validate_part, validate_element


def _main(cache: str) -> int:
    """The early check's process: openxml-audit's schemas loaded (a validator made and dropped
    fills its caches), then the DOCX named on standard input validated."""
    _docx_validator()
    line = sys.stdin.readline().strip()
    if line:
        validate_package(line, cache)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))

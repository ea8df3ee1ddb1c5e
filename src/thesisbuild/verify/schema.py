"""docx.valid: the package against the OOXML schemas (openxml-audit, Office 2019 rules), each
distinct element shape validated once.

openxml-audit walks every element and checks its attributes and its children's order against the
schema, in Python: about a second for a 150-page thesis, most of it on paragraphs and runs that
have the shape of many others. An element's schema verdict depends only on
its tag, its attributes, its text (but the free text of w:t and field codes, typed as plain
strings), the namespaces in scope (a QName value's prefix), its children's shapes, the tags of
its parent and grandparent (which of a tag's several schema types applies) and the namespaces
markup compatibility lets it ignore; an element whose all of these match one found valid in the
same part is skipped. The rules across elements (unique ids, references between parts) are
openxml-audit's semantic phase, which still reads every element. Where openxml-audit has not the
hooks this uses, the package is validated the plain way."""

from __future__ import annotations

import re

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Elements typed xsd:string: their text is never checked, so it is no part of their shape.
_FREE_TEXT = frozenset({W + "t", W + "delText", W + "instrText", W + "delInstrText"})

# numId 0 is no reference: ECMA-376 Part 1, 17.9.18 reserves it for removing a style's numbering from
# a paragraph (an unnumbered heading under numbered Heading styles; Word writes it so itself), but
# openxml-audit 0.8 reports it as a missing numbering definition.
_NUMBERING_REMOVED = re.compile(r"Numbering definition '0' referenced but not found")


def validate_package(path: str) -> list[str]:
    """The package's problems against the OOXML schemas."""
    # lazy: start-up time; the validator loads its schemas only when verify reads a DOCX
    from openxml_audit import FileFormat, OpenXmlValidator

    validator = OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=20)
    _validate_shapes_once(validator)
    return [str(error) for error in validator.validate(path).errors if not _NUMBERING_REMOVED.search(str(error))]


def _validate_shapes_once(validator) -> None:
    """Make the validator's schema phase skip an element whose shape it has found valid in the
    same part (see the module's note)."""
    schema = getattr(validator, "_schema_validator", None)
    element_step = getattr(schema, "_validate_element", None)
    part_step = getattr(schema, "validate_part", None)
    if element_step is None or part_step is None:
        return                                  # another openxml-audit: validated the plain way
    shapes: dict = {}                           # element -> its shape's number
    valid: set = set()                          # what validate_element keys found valid

    def validate_part(part, context):
        shapes.clear()
        valid.clear()
        xml = part.xml
        if xml is not None:
            numbers: dict[tuple, int] = {}
            scopes: dict[tuple, int] = {}
            # Children before their parent: the document order reversed.
            for element in reversed(list(xml.iter())):
                tag = element.tag if isinstance(element.tag, str) else repr(element.tag)
                scope = scopes.setdefault(tuple(element.nsmap.items()), len(scopes))
                shape = (tag, tuple(sorted(element.attrib.items())), None if tag in _FREE_TEXT else element.text,
                         scope, tuple(shapes[child] for child in element))
                shapes[element] = numbers.setdefault(shape, len(numbers))
        return part_step(part, context)

    def validate_element(element, context, ignorable_ns=frozenset()):
        parent = element.getparent()
        grandparent = parent.getparent() if parent is not None else None
        key = (shapes.get(element), None if parent is None else parent.tag,
               None if grandparent is None else grandparent.tag, ignorable_ns)
        if key in valid:
            return
        before = len(context.errors)
        element_step(element, context, ignorable_ns)
        if key[0] is not None and len(context.errors) == before:
            valid.add(key)

    # The validator calls these on itself, for the part and for each child it descends to.
    schema.validate_part, schema._validate_element = validate_part, validate_element

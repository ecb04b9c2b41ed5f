"""Avro schema resolution as a compatibility check: can `reader` read what `writer` wrote?

Follows the Avro specification's resolution rules (and Avro Java's `SchemaCompatibility`,
which the Schema Registry uses): promotions int→long→float→double and string↔bytes,
record fields matched by name or reader alias, missing writer fields need a reader
default, enum symbols, fixed sizes, unions branch by branch, named types by short name
or alias. Avro Java's quirks are kept, since the Registry reports them: a reader field
matching two writer fields aborts the check, and an enum field's symbol default does not
stand in for a missing field default. Messages take the Registry's
`{errorType:..., description:..., additionalInfo:...}` shape with the reader/writer labels
("new"/"old") filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.serde.avro_model import Field, Node
from tote.serde.avro_render import render

_PROMOTIONS = {
    "long": {"int"},
    "float": {"int", "long"},
    "double": {"int", "long", "float"},
    "bytes": {"string"},
    "string": {"bytes"},
}


@dataclass(frozen=True)
class Incompatibility:
    kind: str
    location: str
    info: str

    def message(self, reader_label: str, writer_label: str) -> str:
        r, w, path = reader_label, writer_label, self.location
        if self.kind == "FIXED_SIZE_MISMATCH":
            text = (f"The size of FIXED type field at path '{path}' in the {r} schema "
                    f"does not match with the {w} schema")
        elif self.kind == "TYPE_MISMATCH":
            text = (f"The type (path '{path}') of a field in the {r} schema does not match "
                    f"with the {w} schema")
        elif self.kind == "NAME_MISMATCH":
            text = f"The name of the schema has changed (path '{path}')"
        elif self.kind == "MISSING_ENUM_SYMBOLS":
            text = (f"The {r} schema is missing enum symbols '{self.info}' at path '{path}' "
                    f"in the {w} schema")
        elif self.kind == "MISSING_UNION_BRANCH":
            text = (f"The {r} schema is missing a type inside a union field at path '{path}' "
                    f"in the {w} schema")
        else:  # READER_FIELD_MISSING_DEFAULT_VALUE
            text = (f"The field '{self.info}' at path '{path}' in the {r} schema has no "
                    f"default value and is missing in the {w} schema")
        return (f"{{errorType:'{self.kind}', description:'{text}', "
                f"additionalInfo:'{self.info}'}}")


class _AmbiguousField(Exception):
    """A reader field names two writer fields (by name and alias): Avro Java throws here."""


def reader_writer_errors(reader: Node, writer: Node, reader_label: str = "reader",
                         writer_label: str = "writer") -> list[str]:
    """Messages for every way `reader` fails to resolve data written with `writer`."""
    checker = _Checker()
    try:
        found = checker.check(reader, writer, [])
    except _AmbiguousField as error:  # the Registry reports the exception as the only message
        return [f"Unexpected exception during compatibility check: {error}"]
    return [i.message(reader_label, writer_label) for i in found]


def can_read(reader: Node, writer: Node) -> bool:
    try:
        return not _Checker().check(reader, writer, [])
    except _AmbiguousField:
        return False


def _path(location: list[str]) -> str:
    return "/" + "/".join(location)


class _Checker:
    """Walks both trees, remembering each (reader, writer) node pair's outcome as Avro Java does.

    A pair in progress counts as compatible (recursive types). A pair seen before returns its
    first outcome unchanged, locations included: when a named type is reached twice, or was
    first met while probing a union (from the root, as Java probes), the Registry repeats that
    first location, and so do we.
    """

    def __init__(self) -> None:
        self.memo: dict[tuple[int, int], list[Incompatibility] | None] = {}  # None: in progress

    def check(self, reader: Node, writer: Node, loc: list[str]) -> list[Incompatibility]:
        key = (id(reader), id(writer))
        if key in self.memo:
            return self.memo[key] or []
        self.memo[key] = None
        found = self._check(reader, writer, loc)
        self.memo[key] = found
        return found

    def _check(self, reader: Node, writer: Node, loc: list[str]) -> list[Incompatibility]:
        if reader.type == writer.type:
            return self._same_type(reader, writer, loc)
        if writer.type == "union":
            # A plain reader must read every writer branch; each branch reports its own
            # problems (a TYPE_MISMATCH, say), as Avro Java does, not a missing branch.
            found: list[Incompatibility] = []
            for index, branch in enumerate(writer.branches):
                found += self.check(reader, branch, [*loc, str(index)])
            return found
        if reader.type == "union":
            for branch in reader.branches:  # a probe starts from the root, as in Java
                if not self.check(branch, writer, []):
                    return []
            return [Incompatibility("MISSING_UNION_BRANCH", _path(loc),
                                    f"reader union lacking writer type: {writer.label()}")]
        if writer.type in _PROMOTIONS.get(reader.type, ()):
            return []
        return [Incompatibility("TYPE_MISMATCH", _path(loc),
                                f"reader type: {reader.label()} not compatible with writer "
                                f"type: {writer.label()}")]

    def _writer_union(self, reader: Node, writer: Node,
                      loc: list[str]) -> list[Incompatibility]:
        found: list[Incompatibility] = []
        for index, branch in enumerate(writer.branches):
            sub = [*loc, str(index)]
            if self.check(reader, branch, []):  # a probe starts from the root, as in Java
                found.append(Incompatibility(
                    "MISSING_UNION_BRANCH", _path(sub),
                    f"reader union lacking writer type: {branch.label()}"))
        return found

    def _same_type(self, reader: Node, writer: Node, loc: list[str]) -> list[Incompatibility]:
        kind = reader.type
        if kind == "array":
            assert reader.items is not None and writer.items is not None
            return self.check(reader.items, writer.items, [*loc, "items"])
        if kind == "map":
            assert reader.values is not None and writer.values is not None
            return self.check(reader.values, writer.values, [*loc, "values"])
        if kind == "union":
            return self._writer_union(reader, writer, loc)
        if kind not in ("record", "enum", "fixed"):
            return []
        found = _names(reader, writer, loc)
        if kind == "fixed" and reader.size != writer.size:
            found.append(Incompatibility("FIXED_SIZE_MISMATCH", _path([*loc, "size"]),
                                         f"expected: {writer.size}, found: {reader.size}"))
        elif kind == "enum":
            missing = sorted(set(writer.symbols) - set(reader.symbols))
            if missing and reader.enum_default is None:
                found.append(Incompatibility("MISSING_ENUM_SYMBOLS", _path([*loc, "symbols"]),
                                             "[" + ", ".join(missing) + "]"))
        elif kind == "record":
            found += self._fields(reader, writer, loc)
        return found

    def _fields(self, reader: Node, writer: Node, loc: list[str]) -> list[Incompatibility]:
        found: list[Incompatibility] = []
        for index, fld in enumerate(reader.fields):
            sub = [*loc, "fields", str(index)]
            source = _writer_field(writer, fld, index)
            if source is None:
                if not fld.has_default and fld.type.type == "enum" and fld.type.enum_default:
                    # Avro Java then resolves the enum against the writer record itself,
                    # which always fails as a TYPE_MISMATCH; the enum default does not help.
                    found += self.check(fld.type, writer, [*sub, "type"])
                elif not fld.has_default:
                    found.append(Incompatibility("READER_FIELD_MISSING_DEFAULT_VALUE",
                                                 _path(sub), fld.name))
            else:
                found += self.check(fld.type, source.type, [*sub, "type"])
        return found


def _names(reader: Node, writer: Node, loc: list[str]) -> list[Incompatibility]:
    if reader.short_name == writer.short_name or writer.name in reader.aliases:
        return []
    return [Incompatibility("NAME_MISMATCH", _path([*loc, "name"]),
                            f"expected: {writer.name}")]


def _writer_field(writer: Node, fld: Field, position: int) -> Field | None:
    """The writer field `fld` reads, by name or alias; more than one is an error."""
    wanted = [fld.name, *fld.aliases]
    matches = [c for name in wanted for c in writer.fields if c.name == name]
    if len(matches) > 1:
        raise _AmbiguousField(
            f"Reader record field {fld.name} type:{fld.type.label()} pos:{position} matches "
            f"multiple fields in writer record schema {render(writer)}")
    return matches[0] if matches else None

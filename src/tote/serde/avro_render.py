"""Avro schema text: Avro Java's `Schema.toString()` layout and a normalised form.

The registry stores and compares the Java layout (compact, attributes in Java's order,
`namespace` only where it changes); `?normalize=true` uses the normalised form.
"""

from __future__ import annotations

import json
from typing import Any

from tote.serde.avro_model import PRIMITIVES, Field, Node


def dumps(value: Any) -> str:
    """Compact JSON the way Jackson writes it (no spaces, non-ASCII kept)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def render(node: Node) -> str:
    """Avro Java's `Schema.toString()`: the registry's identity text for an Avro schema."""
    return dumps(to_json(node))


def to_json(node: Node, space: str | None = None, known: set[str] | None = None) -> Any:
    """JSON object of `node` as Avro Java writes it (namespace only where it changes)."""
    seen = known if known is not None else set()
    kind = node.type
    if kind == "union":
        return [to_json(b, space, seen) for b in node.branches]
    if kind in PRIMITIVES:
        return {"type": kind, **node.props} if node.props else kind
    if kind == "array":
        assert node.items is not None
        return {"type": "array", "items": to_json(node.items, space, seen), **node.props}
    if kind == "map":
        assert node.values is not None
        return {"type": "map", "values": to_json(node.values, space, seen), **node.props}
    assert node.name is not None
    if node.name in seen:
        return node.short_name if (node.namespace or None) == space else node.name
    seen.add(node.name)
    out: dict[str, Any] = {"type": "error" if node.is_error else kind, "name": node.short_name}
    own = node.namespace or None
    if own != space:
        out["namespace"] = own or ""
    if node.doc is not None:
        out["doc"] = node.doc
    if kind == "record":
        out["fields"] = [_field_json(f, own, seen) for f in node.fields]
    elif kind == "enum":
        out["symbols"] = list(node.symbols)
        if node.enum_default is not None:
            out["default"] = node.enum_default
    else:
        out["size"] = node.size
    out.update(node.props)
    if node.aliases:
        out["aliases"] = [a if a.rpartition(".")[0] != (own or "") else a.rpartition(".")[2]
                          for a in node.aliases]
    return out


def _field_json(fld: Field, space: str | None, seen: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": fld.name, "type": to_json(fld.type, space, seen)}
    if fld.doc is not None:
        out["doc"] = fld.doc
    if fld.has_default:
        out["default"] = fld.default
    if fld.order != "ascending":
        out["order"] = fld.order
    if fld.aliases:
        out["aliases"] = list(fld.aliases)
    out.update(fld.props)
    return out


_NORMAL_FIRST = ("name", "type", "fields", "symbols", "items", "values", "size")


def normalized_json(node: Node, known: set[str] | None = None) -> Any:
    """Parsing Canonical Form ordering, but keeping defaults, logical types and properties.

    Named types are written by full name (no `namespace`), attributes in PCF order then
    the rest sorted, so schemas that differ only in layout normalise to the same text.
    """
    seen = known if known is not None else set()
    kind = node.type
    if kind == "union":
        return [normalized_json(b, seen) for b in node.branches]
    if kind in PRIMITIVES:
        return _ordered({"type": kind, **node.props}) if node.props else kind
    if kind == "array":
        assert node.items is not None
        return _ordered({"type": "array", "items": normalized_json(node.items, seen),
                         **node.props})
    if kind == "map":
        assert node.values is not None
        return _ordered({"type": "map", "values": normalized_json(node.values, seen),
                         **node.props})
    assert node.name is not None
    if node.name in seen:
        return node.name
    seen.add(node.name)
    out: dict[str, Any] = {"name": node.name, "type": "error" if node.is_error else kind}
    if node.doc is not None:
        out["doc"] = node.doc
    if kind == "record":
        out["fields"] = [_normal_field(f, seen) for f in node.fields]
    elif kind == "enum":
        out["symbols"] = list(node.symbols)
        if node.enum_default is not None:
            out["default"] = node.enum_default
    else:
        out["size"] = node.size
    if node.aliases:
        out["aliases"] = sorted(node.aliases)
    out.update(node.props)
    return _ordered(out)


def _normal_field(fld: Field, seen: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": fld.name, "type": normalized_json(fld.type, seen)}
    if fld.doc is not None:
        out["doc"] = fld.doc
    if fld.has_default:
        out["default"] = fld.default
    if fld.order != "ascending":
        out["order"] = fld.order
    if fld.aliases:
        out["aliases"] = sorted(fld.aliases)
    out.update(fld.props)
    return _ordered(out)


def _ordered(obj: dict[str, Any]) -> dict[str, Any]:
    first = {k: obj[k] for k in _NORMAL_FIRST if k in obj}
    rest = {k: _sort_keys(obj[k]) for k in sorted(obj) if k not in first}
    return {**first, **rest}


def _sort_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sort_keys(value[k]) for k in sorted(value)}
    return value

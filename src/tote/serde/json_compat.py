"""JSON Schema compatibility: diff the old (`original`) and new (`update`) schemas.

Modelled on the Schema Registry's JSON Schema rules: every change is classified (type
changed, property added to an open or closed content model, required added, enum
narrowed, min/max moved, ...) and the changes outside the compatible set are reported
as `{errorType:"...", description:"..."}`. For BACKWARD the old schema is the original;
FORWARD swaps the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tote.serde.json_compat_messages import COMPATIBLE, describe
from tote.serde.json_schema import JsonSchema
from tote.serde.json_shapes import (
    has_default,
    is_open,
    items_open,
    items_partial,
    kind_of,
    max_matching,
    partial_schema,
    tuple_items,
)


def incompatibilities(original: JsonSchema, update: JsonSchema, reader: str,
                      writer: str) -> list[str]:
    """Messages for incompatible differences between `original` and `update`."""
    diff = _Diff(lambda ref: original.resolve(ref, original.raw),
                 lambda ref: update.resolve(ref, update.raw))
    diff.compare(original.raw, update.raw)
    return [describe(kind, path, reader, writer)
            for kind, path in diff.found if kind not in COMPATIBLE]


class _Diff:
    """Collects (difference type, JSON path) pairs; cycles through `$ref` count as equal."""

    def __init__(self, resolve_original: Callable[[str], Any],
                 resolve_update: Callable[[str], Any]) -> None:
        self.resolve_original = resolve_original
        self.resolve_update = resolve_update
        self.path: list[str] = []
        self.found: list[tuple[str, str]] = []
        self.active: set[tuple[int, int]] = set()

    def add(self, kind: str, attribute: str | None = None) -> None:
        parts = [*self.path, attribute] if attribute else self.path
        self.found.append((kind, "#/" + "/".join(parts)))

    @contextmanager
    def at(self, *segments: str) -> Iterator[None]:
        self.path.extend(segments)
        try:
            yield
        finally:
            del self.path[len(self.path) - len(segments):]

    def sub(self) -> _Diff:
        child = _Diff(self.resolve_original, self.resolve_update)
        child.path = list(self.path)
        child.active = self.active
        return child

    def compatible(self) -> bool:
        return all(kind in COMPATIBLE for kind, _ in self.found)

    def compare(self, original: Any, update: Any) -> None:
        if original is None and update is None:
            return
        if original is None:
            self.add("SCHEMA_ADDED")
            return
        if update is None:
            self.add("SCHEMA_REMOVED")
            return
        original = self._deref(original, self.resolve_original)
        update = self._deref(update, self.resolve_update)
        key = (id(original), id(update))
        if key in self.active:
            return
        self.active.add(key)
        try:
            self._compare_types(original, update)
        finally:
            self.active.discard(key)

    @staticmethod
    def _deref(schema: Any, resolve: Callable[[str], Any]) -> Any:
        seen = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
            target = resolve(schema["$ref"])
            if target is None:
                return schema
            schema, seen = target, seen + 1
        return schema

    def _compare_types(self, original: Any, update: Any) -> None:
        o_kind, o_data = kind_of(original)
        u_kind, u_data = kind_of(update)
        if o_kind != "combined" and u_kind == "combined":
            criterion, subs = u_data
            if len(subs) == 1 or criterion in ("anyOf", "oneOf"):
                for sub_schema in subs:
                    trial = self.sub()
                    trial.compare(original, sub_schema)
                    if trial.compatible():
                        self.found += trial.found
                        if len(subs) > 1:
                            self.add("SUM_TYPE_EXTENDED")
                        return
        elif o_kind == "combined" and u_kind != "combined":
            criterion, subs = o_data
            if len(subs) == 1 or criterion == "allOf":
                for sub_schema in subs:
                    trial = self.sub()
                    trial.compare(sub_schema, update)
                    if trial.compatible():
                        self.found += trial.found
                        if len(subs) > 1:
                            self.add("PRODUCT_TYPE_NARROWED")
                        return
        if o_kind != u_kind:
            if o_kind == "false" or u_kind == "empty":
                return
            if (isinstance(original, dict) and isinstance(update, dict)
                    and original.get("connect.type") == "bytes" == update.get("connect.type")):
                return
            self.add("TYPE_CHANGED")
            return
        if isinstance(original, dict) and isinstance(update, dict):
            for key, kind in (("$id", "ID_CHANGED"), ("title", "TITLE_CHANGED"),
                              ("description", "DESCRIPTION_CHANGED"),
                              ("default", "DEFAULT_CHANGED")):
                if original.get(key) != update.get(key):
                    self.add(kind)
        if o_kind == "string":
            self._limits(original, update, (("maxLength", "MAX_LENGTH", False),
                                            ("minLength", "MIN_LENGTH", True)))
            self._pattern(original, update)
        elif o_kind == "number":
            self._number(original, update, bool(o_data), bool(u_data))
        elif o_kind == "enum":
            self._enum(o_data, u_data)
        elif o_kind == "const":
            if o_data != u_data:
                self.add("ENUM_ARRAY_CHANGED", "const")
        elif o_kind == "not":
            with self.at("not"):
                trial = self.sub()
                trial.compare(u_data, o_data)
                self.add("NOT_TYPE_NARROWED" if trial.compatible() else "NOT_TYPE_EXTENDED")
        elif o_kind == "combined":
            self._combined(o_data, u_data)
        elif o_kind == "object":
            self._object(original, update)
        elif o_kind == "array":
            self._array(original, update)

    def _limits(self, original: dict[str, Any], update: dict[str, Any],
                specs: tuple[tuple[str, str, bool], ...]) -> None:
        for key, name, _is_min in specs:
            old, new = original.get(key), update.get(key)
            if old == new or (isinstance(old, bool) or isinstance(new, bool)):
                continue
            if old is None:
                self.add(f"{name}_ADDED", key)
            elif new is None:
                self.add(f"{name}_REMOVED", key)
            elif old < new:
                self.add(f"{name}_INCREASED", key)
            else:
                self.add(f"{name}_DECREASED", key)

    def _pattern(self, original: dict[str, Any], update: dict[str, Any]) -> None:
        old, new = original.get("pattern"), update.get("pattern")
        if old is None and new is not None:
            self.add("PATTERN_ADDED", "pattern")
        elif old is not None and new is None:
            self.add("PATTERN_REMOVED", "pattern")
        elif old != new:
            self.add("PATTERN_CHANGED", "pattern")

    def _number(self, original: dict[str, Any], update: dict[str, Any],
                old_int: bool, new_int: bool) -> None:
        self._limits(original, update, (("maximum", "MAXIMUM", False),
                                        ("minimum", "MINIMUM", True),
                                        ("exclusiveMaximum", "EXCLUSIVE_MAXIMUM", False),
                                        ("exclusiveMinimum", "EXCLUSIVE_MINIMUM", True)))
        old, new = original.get("multipleOf"), update.get("multipleOf")
        if old != new:
            if old is None:
                self.add("MULTIPLE_OF_ADDED", "multipleOf")
            elif new is None:
                self.add("MULTIPLE_OF_REMOVED", "multipleOf")
            elif old and (new / old) == int(new / old):
                self.add("MULTIPLE_OF_EXPANDED", "multipleOf")
            elif new and (old / new) == int(old / new):
                self.add("MULTIPLE_OF_REDUCED", "multipleOf")
            else:
                self.add("MULTIPLE_OF_CHANGED", "multipleOf")
        if old_int != new_int:
            self.add("TYPE_EXTENDED" if old_int else "TYPE_NARROWED")

    def _enum(self, old: list[Any], new: list[Any]) -> None:
        if old == new:
            return
        if all(v in new for v in old):
            self.add("ENUM_ARRAY_EXTENDED", "enum")
        elif all(v in old for v in new):
            self.add("ENUM_ARRAY_NARROWED", "enum")
        else:
            self.add("ENUM_ARRAY_CHANGED", "enum")

    def _combined(self, o_data: tuple[str, list[Any]], u_data: tuple[str, list[Any]]) -> None:
        (o_crit, o_subs), (u_crit, u_subs) = o_data, u_data
        if o_crit != u_crit:
            extended = (u_crit == "anyOf" or (len(o_subs) == 1 and len(u_subs) == 1)
                        or (len(o_subs) == 1 and u_crit == "oneOf")
                        or (len(u_subs) == 1 and o_crit == "allOf"))
            if not extended:
                self.add("COMBINED_TYPE_CHANGED")
                return
            self.add("COMBINED_TYPE_EXTENDED")
        # Repeated subschemas count once, as in the Registry.
        o_subs, u_subs = _distinct(o_subs), _distinct(u_subs)
        if len(o_subs) < len(u_subs):
            self.add("PRODUCT_TYPE_EXTENDED" if u_crit == "allOf" else "SUM_TYPE_EXTENDED")
        elif len(o_subs) > len(u_subs):
            self.add("SUM_TYPE_NARROWED" if o_crit in ("anyOf", "oneOf")
                     else "PRODUCT_TYPE_NARROWED")
        edges: dict[int, dict[int, list[tuple[str, str]]]] = {}
        for i, o_sub in enumerate(o_subs):
            with self.at(o_crit, str(i)):
                for j, u_sub in enumerate(u_subs):
                    trial = self.sub()
                    trial.compare(o_sub, u_sub)
                    if trial.compatible():
                        edges.setdefault(i, {})[j] = trial.found
        matching = max_matching(edges)
        for i, j in matching.items():
            self.found += edges[i][j]
        if len(matching) < min(len(o_subs), len(u_subs)):
            self.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED")

    def _object(self, original: dict[str, Any], update: dict[str, Any]) -> None:
        o_props: dict[str, Any] = original.get("properties") or {}
        u_props: dict[str, Any] = update.get("properties") or {}
        o_req, u_req = set(original.get("required") or ()), set(update.get("required") or ())
        with self.at("required"):
            for name in o_props:
                if name in u_props:
                    if name in o_req and name not in u_req:
                        self.add("REQUIRED_ATTRIBUTE_REMOVED", name)
                    elif name not in o_req and name in u_req:
                        self.add("REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
                                 if has_default(u_props[name]) else "REQUIRED_ATTRIBUTE_ADDED",
                                 name)
        with self.at("properties"):
            for name in list(o_props) + [n for n in u_props if n not in o_props]:
                with self.at(name):
                    self._property(name, original, update, o_schema=o_props.get(name),
                                   u_schema=u_props.get(name), u_req=u_req)
        self._dependencies(original, update)
        with self.at("additionalProperties"):
            o_open, u_open = original.get("additionalProperties", True), \
                update.get("additionalProperties", True)
            if (o_open is not False) != (u_open is not False):
                self.add("ADDITIONAL_PROPERTIES_ADDED" if u_open is not False
                         else "ADDITIONAL_PROPERTIES_REMOVED")
            elif isinstance(u_open, dict) and not isinstance(o_open, dict):
                self.add("ADDITIONAL_PROPERTIES_NARROWED")
            elif isinstance(o_open, dict) and not isinstance(u_open, dict):
                self.add("ADDITIONAL_PROPERTIES_EXTENDED")
            elif isinstance(o_open, dict) and isinstance(u_open, dict):
                self.compare(o_open, u_open)
        self._unevaluated(original.get("unevaluatedProperties"),
                          update.get("unevaluatedProperties"), "unevaluatedProperties",
                          "UNEVALUATED_PROPERTIES")
        self._limits(original, update, (("maxProperties", "MAX_PROPERTIES", False),
                                        ("minProperties", "MIN_PROPERTIES", True)))

    def _dependencies(self, original: dict[str, Any], update: dict[str, Any]) -> None:
        o_arrays, o_schemas = _dependencies(original)
        u_arrays, u_schemas = _dependencies(update)
        with self.at("dependencies"):
            for name in sorted(set(o_arrays) | set(u_arrays)):
                old, new = o_arrays.get(name), u_arrays.get(name)
                if new is None:
                    self.add("DEPENDENCY_ARRAY_REMOVED", name)
                elif old is None:
                    self.add("DEPENDENCY_ARRAY_ADDED", name)
                elif old != new:
                    self.add("DEPENDENCY_ARRAY_EXTENDED" if old <= new
                             else "DEPENDENCY_ARRAY_NARROWED" if new <= old
                             else "DEPENDENCY_ARRAY_CHANGED", name)
            for name in sorted(set(o_schemas) | set(u_schemas)):
                if name not in u_schemas:
                    self.add("DEPENDENCY_SCHEMA_REMOVED", name)
                elif name not in o_schemas:
                    self.add("DEPENDENCY_SCHEMA_ADDED", name)
                else:
                    with self.at(name):
                        self.compare(o_schemas[name], u_schemas[name])

    def _unevaluated(self, old: Any, new: Any, keyword: str, name: str) -> None:
        """`unevaluatedProperties`/`unevaluatedItems`: false closes, a schema narrows."""
        if old is None and new is None:
            return
        with self.at(keyword):
            if old is None:
                self.add(f"{name}_REMOVED" if new is False else f"{name}_NARROWED")
            elif new is None:
                self.add(f"{name}_ADDED" if old is False else f"{name}_EXTENDED")
            elif (old is False) != (new is False):
                self.add(f"{name}_ADDED" if old is False else f"{name}_REMOVED")
            elif _empty(old) != _empty(new):
                self.add(f"{name}_NARROWED" if _empty(old) else f"{name}_EXTENDED")
            elif old is not False:
                self.compare(old, new)

    def _covered(self, change: str, original: Any, update: Any) -> None:
        """A property or item added or removed where a partially open content model
        (`additionalProperties`/`additionalItems` as a schema) stands for it: `change` is
        covered if that schema and the item's are compatible; their differences count."""
        trial = self.sub()
        trial.compare(original, update)
        self.found += trial.found
        self.add(f"{change}_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL" if trial.compatible()
                 else f"{change}_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")

    def _property(self, name: str, original: dict[str, Any], update: dict[str, Any], *,
                  o_schema: Any, u_schema: Any, u_req: set[str]) -> None:
        if u_schema is None:
            self._removed("PROPERTY", o_schema, is_open(update), partial_schema(update, name))
        elif o_schema is None:
            if is_open(original):
                if kind_of(u_schema)[0] == "empty":
                    self.add("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")
                elif name in u_req:
                    self.add("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
                             if has_default(u_schema)
                             else "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
                else:
                    self.add("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
                return
            partial = partial_schema(original, name)
            if partial is not None:
                self._covered("PROPERTY_ADDED", partial, u_schema)
            if name in u_req:
                self.add("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
                         if has_default(u_schema)
                         else "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
            else:
                self.add("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
        else:
            self.compare(o_schema, u_schema)

    def _array(self, original: dict[str, Any], update: dict[str, Any]) -> None:
        o_tuple, o_all, o_extra = tuple_items(original)
        u_tuple, u_all, u_extra = tuple_items(update)
        o_uneval, u_uneval = original.get("unevaluatedItems"), update.get("unevaluatedItems")
        with self.at("items"):
            self.compare(o_all, u_all)
        for index in range(max(len(o_tuple), len(u_tuple))):
            with self.at("items", str(index)):
                if index < len(o_tuple) and index < len(u_tuple):
                    self.compare(o_tuple[index], u_tuple[index])
                elif index < len(o_tuple):
                    self._removed("ITEM", o_tuple[index], items_open(u_extra, u_uneval),
                                  items_partial(u_extra, u_uneval))
                else:
                    self._item_added(u_tuple[index], o_extra, o_uneval)
        with self.at("additionalItems"):
            o_permits, u_permits = o_extra is not False, u_extra is not False
            o_schema = o_extra if isinstance(o_extra, dict) else None
            u_schema = u_extra if isinstance(u_extra, dict) else None
            if o_permits != u_permits:
                self.add("ADDITIONAL_ITEMS_REMOVED" if o_permits else "ADDITIONAL_ITEMS_ADDED")
            elif o_schema is None and u_schema is not None:
                self.add("ADDITIONAL_ITEMS_NARROWED")
            elif o_schema is not None and u_schema is None:
                self.add("ADDITIONAL_ITEMS_EXTENDED")
            elif o_schema is not None:
                self.compare(o_schema, u_schema)
        self._unevaluated(o_uneval, u_uneval, "unevaluatedItems", "UNEVALUATED_ITEMS")
        self._limits(original, update, (("maxItems", "MAX_ITEMS", False),
                                        ("minItems", "MIN_ITEMS", True)))
        o_unique, u_unique = bool(original.get("uniqueItems")), bool(update.get("uniqueItems"))
        if o_unique != u_unique:
            self.add("UNIQUE_ITEMS_ADDED" if u_unique else "UNIQUE_ITEMS_REMOVED", "uniqueItems")
        self._limits(original, update, (("maxContains", "MAX_CONTAINS", False),
                                        ("minContains", "MIN_CONTAINS", True)))

    def _removed(self, kind: str, original: Any, content_open: bool, partial: Any) -> None:
        """A PROPERTY or positional ITEM the update no longer lists: the update's content
        model must take it (open), or its partial schema (`partial`) must cover it."""
        if content_open:
            self.add(f"{kind}_REMOVED_FROM_OPEN_CONTENT_MODEL")
        elif partial is not None:
            self._covered(f"{kind}_REMOVED", original, partial)
        elif original is False:
            self.add(f"{kind}_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL")
        else:
            self.add(f"{kind}_REMOVED_FROM_CLOSED_CONTENT_MODEL")

    def _item_added(self, u_item: Any, o_extra: Any, o_uneval: Any) -> None:
        """A new positional item: old data there matched the original's extra-items rule."""
        if items_open(o_extra, o_uneval):
            self.add("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL" if _empty(u_item)
                     else "ITEM_ADDED_TO_OPEN_CONTENT_MODEL")
            return
        partial = items_partial(o_extra, o_uneval)
        if partial is None:
            self.add("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL")
            return
        self._covered("ITEM_ADDED", partial, u_item)


def _empty(schema: Any) -> bool:
    return schema is True or schema == {}


def _distinct(schemas: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for schema in schemas:
        seen.setdefault(json.dumps(schema, sort_keys=True), schema)
    return list(seen.values())


def _dependencies(schema: dict[str, Any]) -> tuple[dict[str, set[str]], dict[str, Any]]:
    """(property -> properties it requires, property -> schema it imposes), any draft."""
    arrays: dict[str, set[str]] = {}
    schemas: dict[str, Any] = {}
    for name, value in (schema.get("dependencies") or {}).items():
        if isinstance(value, list):
            arrays[name] = set(value)
        else:
            schemas[name] = value
    for name, value in (schema.get("dependentRequired") or {}).items():
        arrays[name] = set(value)
    schemas.update(schema.get("dependentSchemas") or {})
    return arrays, schemas

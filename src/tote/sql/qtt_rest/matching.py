"""Matching actual REST responses against a REST QTT case's expectations (README §9.3).

Objects match partially (only the expected keys, recursively); anything else must be
equal, numbers by their parsed JSON kind (`1` is not `1.0`). A query's messages must be
as many as expected; the `columns` of its rows are compared as a multiset unless the
case asks for order.
"""

from __future__ import annotations

import decimal
from collections import Counter
from typing import Any


class Mismatch(Exception):
    pass


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, (float, decimal.Decimal)):
        return "fraction"
    return type(value).__name__


def equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and all(
            equal(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            equal(e, a) for e, a in zip(expected, actual, strict=True))
    if _kind(expected) != _kind(actual):
        return False
    return bool(expected == actual)


def partial(expected: Any, actual: Any, where: str) -> None:
    """Raise Mismatch unless `actual` has every expected key with a matching value."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{where}: expected an object, got {actual!r}")
        for key, value in expected.items():
            if key.upper().endswith("|STARTS_WITH"):  # the operator's case is free
                name = key.split("|", 1)[0]
                got = actual.get(name)
                if not isinstance(got, str) or not got.startswith(str(value)):
                    raise Mismatch(f"{where}.{name}: {got!r} does not start with {value!r}")
                continue
            if key not in actual:
                raise Mismatch(f"{where}: missing {key!r} in {actual!r}")
            partial(value, actual[key], f"{where}.{key}")
        return
    if not equal(expected, actual):
        raise Mismatch(f"{where}: expected {expected!r}, got {actual!r}")


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return ("{", tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("[", tuple(_freeze(v) for v in value))
    return (_kind(value), value)


def query_messages(expected: list[Any], actual: list[Any], ordered: bool, where: str) -> None:
    if len(expected) != len(actual):
        raise Mismatch(f"{where}: expected {len(expected)} messages, got {len(actual)}: "
                       f"{actual!r}")
    exp_rows = [e["row"].get("columns") for e in expected if isinstance(e, dict) and "row" in e]
    got_rows = [a["row"].get("columns") for a in actual if isinstance(a, dict) and "row" in a]
    if ordered:
        for index, (e, a) in enumerate(zip(exp_rows, got_rows, strict=False)):
            if not equal(e, a):
                raise Mismatch(f"{where} row {index}: expected {e!r}, got {a!r}")
    elif Counter(_freeze(r) for r in exp_rows) != Counter(_freeze(r) for r in got_rows):
        raise Mismatch(f"{where}: rows differ: expected {exp_rows!r}, got {got_rows!r}")
    for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
        if isinstance(e, dict) and "row" in e:
            rest_e = {k: v for k, v in e["row"].items() if k != "columns"}
            if not isinstance(a, dict) or "row" not in a:
                raise Mismatch(f"{where} message {index}: expected a row, got {a!r}")
            partial(rest_e, {k: v for k, v in a["row"].items() if k != "columns"},
                    f"{where} message {index}")
            continue
        partial(e, a, f"{where} message {index}")

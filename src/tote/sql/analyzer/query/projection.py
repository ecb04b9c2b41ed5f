"""The final projection: which SELECT items are the sink's key, which its value.

A SELECT item that is a plain reference to a key column of the projection's input is a
key reference: it names the sink's key column and is not part of the value. Every key
column must be referenced exactly once (see `keys.py`); the rest are value columns, in
SELECT order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from tote.core.errors import SqlError
from tote.core.types import SqlType
from tote.sql.analyzer.query.keys import (
    KeyOrigin,
    duplicate_key_message,
    foreign_key_missing_message,
    missing_keys_message,
)
from tote.sql.analyzer.query.select import SelectExpr
from tote.sql.ast.expressions import ColumnRef, Expression
from tote.sql.errors import StatementError, as_statement_error
from tote.sql.planner.logical import Node, ProjectNode
from tote.sql.planner.schema import Col, Schema
from tote.sql.sources import WINDOW_BOUNDS

TypeOf = Callable[[Expression, Schema, str], SqlType]


def project(node: Node, selects: Sequence[SelectExpr], origin: KeyOrigin, sink: str, *,
            type_of: TypeOf, new_planner: bool = False) -> ProjectNode:
    """The projection node. `new_planner` follows `ksql.new.query.planner.enabled`: key
    columns in SELECT order, and a stream may drop its key."""
    schema = node.schema
    scope = schema.scope("SELECT")
    _check_duplicates(selects, schema, type_of)
    groups = schema.key_groups()
    key_refs: dict[int, list[str]] = {}
    values: list[SelectExpr] = []
    for item in selects:
        expr = item.expression
        if isinstance(expr, ColumnRef):
            try:
                slot = scope.resolve(expr).slot
            except SqlError as err:
                raise as_statement_error(err) from None
            index = next((i for i, g in enumerate(groups) if slot in g), None)
            if index is not None:
                key_refs.setdefault(index, []).append(item.alias)
                continue
            if expr.name in WINDOW_BOUNDS and item.alias == expr.name:
                continue
        values.append(item)
    # ksqlDB types the whole projection before checking its keys: a bad call is reported
    # even when the key is missing too.
    value_types = [type_of(item.expression, schema, "SELECT") for item in values]
    for index, aliases in key_refs.items():
        if len(aliases) > 1:
            raise StatementError(duplicate_key_message(schema.key[index].name, aliases))
    if origin.kind != "none" and schema.key:
        if origin.require_all:
            missing = [i for i in range(len(schema.key)) if i not in key_refs]
        else:
            missing = [] if key_refs else [0]
        if missing and new_planner and not node.is_table:
            return _keyless(node, values, key_refs, schema, type_of)
        if missing:
            if origin.kind == "foreign-key":
                raise StatementError(foreign_key_missing_message(origin, missing))
            if origin.kind == "group":
                # ksqlDB names only the grouping expressions that are missing.
                origin = replace(origin, required=tuple(origin.required[i] for i in missing))
            raise StatementError(missing_keys_message(sink, origin))
    value_cols: list[Col] = []
    seen: set[str] = set()
    for item, value_type in zip(values, value_types, strict=True):
        col = Col(item.alias, value_type, None)
        if col.name in seen:
            raise StatementError(
                f"Duplicate value columns found in schema: `{col.name}` {col.type}")
        seen.add(col.name)
        value_cols.append(col)
    if not value_cols:
        raise StatementError("The projection contains no value columns.")
    key_cols = tuple(Col(key_refs[i][0] if i in key_refs else k.name, k.type, None)
                     for i, k in enumerate(schema.key))
    key_order: tuple[int, ...] | None = None
    if new_planner:
        order = [item.alias for item in selects]
        key_order = tuple(sorted(range(len(key_cols)), key=lambda i: order.index(
            key_cols[i].name) if key_cols[i].name in order else len(order)))
        key_cols = tuple(key_cols[i] for i in key_order)
    result = Schema(key_cols, tuple(value_cols))
    return ProjectNode("Project", result, node.is_table, node,
                       tuple(item.expression for item in values), key_order)


def _check_duplicates(selects: Sequence[SelectExpr], schema: Schema, type_of: TypeOf) -> None:
    """ksqlDB builds the projection's schema (keys included) before moving keys out, so two
    items with one name clash even if one of them ends up as the key."""
    seen: set[str] = set()
    for item in selects:
        if item.alias in seen:
            kind = type_of(item.expression, schema, "SELECT")
            raise StatementError(
                f"Duplicate value columns found in schema: `{item.alias}` {kind}")
        seen.add(item.alias)


def _keyless(node: Node, values: list[SelectExpr], key_refs: dict[int, list[str]],
             schema: Schema, type_of: TypeOf) -> ProjectNode:
    """New planner: a stream whose projection leaves out its key gets no key at all."""
    del key_refs
    value_cols = tuple(Col(item.alias, type_of(item.expression, schema, "SELECT"), None)
                       for item in values)
    return ProjectNode("Project", Schema((), value_cols), node.is_table, node,
                       tuple(item.expression for item in values), ())

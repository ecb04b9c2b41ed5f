"""The FlatMap operator: table functions (EXPLODE...) turn one stream row into several.

Each call's arguments are compiled once per task; per row, every call returns a list, and
row i of the output carries element i of each (NULL past the end of a shorter one), the
way ksqlDB's KudtfFlatMapper zips its table functions. A call that fails is reported to
the processing log and the input row yields nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tote.sql.expressions import compile_projection
from tote.sql.planner.logical import FlatMapNode
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.processing_log import ProcessingError
from tote.sql.runtime.records import Push, Rec


def build_flat_map(node: FlatMapNode, ctx: BuildContext, push: Push) -> Push:
    scope = node.input.schema.scope()
    calls: list[tuple[Callable[..., Any], Callable[..., list[Any]]]] = []
    for call in node.calls:
        compiled = compile_projection(call.args, scope, ctx.functions)
        resolved = ctx.functions.table(call.name).resolve(list(compiled.types))
        calls.append((compiled.fn, resolved.fn))
    report = ctx.processing_log.report
    query_id = ctx.plan.query_id

    def results(row: tuple[Any, ...]) -> list[list[Any]] | None:
        out: list[list[Any]] = []
        for args_of, table_fn in calls:
            try:
                out.append(table_fn(*args_of(row)))
            except Exception as exc:  # noqa: BLE001 - reported; the row yields nothing
                report(ProcessingError(query_id, node.id, f"Error in table function: {exc}"))
                return None
        return out

    def flat_map(rec: Rec) -> None:
        key, row, ts, _, window = rec
        if row is None:
            return
        found = results(row)
        if found is None:
            return
        longest = max((len(items) for items in found), default=0)
        for index in range(longest):
            extra = tuple(items[index] if index < len(items) else None for items in found)
            push((key, row + extra, ts, None, window))

    return flat_map

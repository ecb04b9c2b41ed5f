"""Stateless operators: WHERE/HAVING filters, the projection, and re-keying.

Expressions are compiled once per task into plain Python functions (`tote.sql.
expressions`), so a record costs one call per operator. On tables, a filter turns a row
that no longer matches into a deletion, and a projection maps both the new and the old
row of a change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tote.serde.codegen import Source
from tote.sql.ast.expressions import ColumnRef
from tote.sql.ast.nodes import walk
from tote.sql.expressions import compile_predicate, compile_projection, compile_value
from tote.sql.expressions.errors import ErrorSink, ExpressionError
from tote.sql.planner.logical import FilterNode, ProjectNode, RekeyNode
from tote.sql.planner.schema import Schema
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.processing_log import ProcessingError
from tote.sql.runtime.records import Push, Rec, Row, new_tuple

MakeKey = Callable[[Row], tuple[Row, Row] | None]


def _sink(ctx: BuildContext, step: str) -> ErrorSink:
    query_id = ctx.plan.query_id
    report = ctx.processing_log.report

    def on_error(error: ExpressionError) -> None:
        report(ProcessingError(query_id, step,
                               f"Error computing expression {error.expression}: "
                               f"{error.message}"))

    return on_error


def build_filter(node: FilterNode, ctx: BuildContext, push: Push) -> Push:
    compiled = compile_predicate(node.predicate, node.input.schema.scope(), ctx.functions,
                                 on_error=_sink(ctx, node.id))
    test = compiled.fn
    if not node.is_table:
        def stream_filter(rec: Rec) -> None:
            if rec.row is not None and test(rec.row):
                push(rec)
        return stream_filter

    def table_filter(rec: Rec) -> None:
        new = rec.row if rec.row is not None and test(rec.row) else None
        old = rec.old if rec.old is not None and test(rec.old) else None
        if new is None and old is None:
            return
        push(new_tuple(Rec, (rec.key, new, rec.ts, old, rec.window)))

    return table_filter


def build_project(node: ProjectNode, ctx: BuildContext, push: Push,
                  keep_old: bool = True) -> Push:
    compiled = compile_projection(node.expressions, node.input.schema.scope(), ctx.functions,
                                  on_error=_sink(ctx, node.id))
    fn = compiled.fn
    order = node.key_order
    if order is not None:
        push = _reorder_keys(order, push)
    if not node.is_table:
        def stream_project(rec: Rec) -> None:
            key, row, ts, old, window = rec
            if row is None:
                push(rec)
            else:
                push(new_tuple(Rec, (key, fn(row), ts, old, window)))
        return stream_project

    def table_project(rec: Rec) -> None:
        key, row, ts, old, window = rec
        push(new_tuple(Rec, (key, fn(row) if row is not None else None, ts,
                             fn(old) if keep_old and old is not None else None, window)))

    return table_project


def _reorder_keys(order: tuple[int, ...], push: Push) -> Push:
    def reorder(rec: Rec) -> None:
        push(new_tuple(Rec, (tuple([rec.key[i] for i in order]), rec.row, rec.ts, rec.old,
                             rec.window)))

    return reorder


class KeyMaker:
    """Computes a re-keyed record: the new key and the row with computed keys appended."""

    def __init__(self, node: RekeyNode, ctx: BuildContext) -> None:
        schema: Schema = node.input.schema
        scope = schema.scope()
        self.parts: list[tuple[int | None, Callable[[Row], object] | None]] = []
        self.width = len(schema.value)
        self.key_slots = schema.key_slots() if schema.key else ()
        key_set = set(self.key_slots)
        self.key_only: list[bool] = []
        for expr, appended in zip(node.keys, node.appended, strict=True):
            refs = [n for n in walk(expr) if isinstance(n, ColumnRef)]
            self.key_only.append(all(scope.resolve(r).slot in key_set for r in refs))
            if not appended and isinstance(expr, ColumnRef):
                self.parts.append((scope.resolve(expr).slot, None))
            else:
                compiled = compile_value(expr, scope, ctx.functions,
                                         on_error=_sink(ctx, node.id))
                self.parts.append((None, compiled.fn))
        self.appended = node.appended
        # GROUP BY drops rows whose grouping key has a null (ksqlDB logs and skips them).
        self.drop_nulls = node.id == "Aggregate-GroupBy"
        self.make = _key_function(self.parts, self.appended, self.drop_nulls)

    def key_of_null(self, old_key: Row) -> Row:
        """The new key of a record without a value: expressions over the old key only are
        evaluated on it, anything else is null (as ksqlDB does)."""
        row: list[object] = [None] * self.width
        for key_slot, value in zip(self.key_slots, old_key, strict=False):
            row[key_slot] = value
        frozen = tuple(row)
        key: list[object] = []
        for (slot, fn), key_only in zip(self.parts, self.key_only, strict=True):
            if not key_only:
                key.append(None)
            elif slot is not None:
                key.append(frozen[slot])
            else:
                key.append(fn(frozen))  # type: ignore[misc]
        return tuple(key)


def _key_function(parts: list[tuple[int | None, Callable[[Row], object] | None]],
                  appended: Sequence[bool], drop_nulls: bool) -> MakeKey:
    """`make(row)`: the new key and the row with the appended key values, or None when
    `drop_nulls` and a key part is null; one generated function (parts read or computed
    in order, stopping at the first null), not a loop over the parts per record."""
    src = Source({})
    body: list[str] = []
    names: list[str] = []
    for index, (slot, fn) in enumerate(parts):
        name = f"k{index}"
        names.append(name)
        body.append(f"    {name} = row[{slot}]" if slot is not None
                    else f"    {name} = {src.const(fn)}(row)")
        if drop_nulls:
            body += [f"    if {name} is None:", "        return None"]
    extra = [n for n, appends in zip(names, appended, strict=True) if appends]
    new_row = f"row + ({''.join(f'{n}, ' for n in extra)})" if extra else "row"
    src.emit(0, "def make(row):", *body,
             f"    return ({''.join(f'{n}, ' for n in names)}), {new_row}")
    namespace = dict(src.env)
    exec(compile("\n".join(src.lines), "<tote:key>", "exec"), namespace)
    made: MakeKey = namespace["make"]
    return made


def build_rekey(node: RekeyNode, ctx: BuildContext, push: Push) -> Push:
    """PARTITION BY of a stream (the sink writes the new key): no repartition topic."""
    if not node.keys:
        def to_null(rec: Rec) -> None:
            push(Rec((), rec.row, rec.ts, rec.old, rec.window))
        return to_null
    maker = KeyMaker(node, ctx)
    make = maker.make

    def rekey(rec: Rec) -> None:
        key, row, ts, old, window = rec
        if row is None:
            push(new_tuple(Rec, (maker.key_of_null(key), row, ts, old, window)))
            return
        made = make(row)
        if made is not None:
            push(new_tuple(Rec, (made[0], made[1], ts, old, window)))

    return rekey


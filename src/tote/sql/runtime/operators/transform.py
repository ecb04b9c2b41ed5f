"""Stateless operators: WHERE/HAVING filters, the projection, and re-keying.

Expressions are compiled once per task into plain Python functions (`tote.sql.
expressions`), so a record costs one call per operator. On tables, a filter turns a row
that no longer matches into a deletion, and a projection maps both the new and the old
row of a change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from tote.serde.codegen import Source
from tote.sql.ast.expressions import ColumnRef
from tote.sql.ast.nodes import walk
from tote.sql.expressions import compile_predicate, compile_projection, compile_value
from tote.sql.expressions.compiler import Around
from tote.sql.expressions.errors import ErrorSink, ExpressionError
from tote.sql.planner.logical import FilterNode, ProjectNode, RekeyNode
from tote.sql.planner.schema import Schema
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.processing_log import ProcessingError
from tote.sql.runtime.records import Push, Rec, Row

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
            row = rec[1]
            if row is not None and test(row):
                push(rec)
        return stream_filter

    def table_filter(rec: Rec) -> None:
        key, row, ts, old_row, window = rec
        new = row if row is not None and test(row) else None
        old = old_row if old_row is not None and test(old_row) else None
        if new is None and old is None:
            return
        push((key, new, ts, old, window))

    return table_filter


class Fuse(Protocol):
    """`fuse(name, head, env)`: the operator `name(rec)` generated as the `head` lines
    (names from `env`), which bind `key`, `row`, `ts`, `old` and `window` (or return),
    then the next operator's step on them inline: a record costs the two operators one
    call. With `columns` (see `Around`), the head binds no `row`: `row` is the expression
    building it and `columns` read its slots, so a row read only column by column is
    never built."""

    def __call__(self, name: str, head: Sequence[str], env: dict[str, Any],
                 row: str = "row", columns: Sequence[str] | None = None) -> Push: ...


def build_project(node: ProjectNode, ctx: BuildContext, push: Push,
                  keep_old: bool = True) -> Push:
    """The projection is generated inline into the operator's function (one call per
    record); on a table, the old row of a change goes through the plain projection."""
    none = "push(rec)" if not node.is_table else (
        "push((key, None, ts, project(old) if old is not None else None, window))"
        if keep_old else "push((key, None, ts, None, window))")
    return project_fuse(node, ctx, push, keep_old)(
        "stream_project" if not node.is_table else "table_project",
        ["key, row, ts, old, window = rec", "if row is None:", f"    return {none}"], {})


def project_fuse(node: ProjectNode, ctx: BuildContext, push: Push,
                 keep_old: bool = True) -> Fuse:
    """The projection as the step after another operator's `head` (`Fuse`): `row` (not
    None) projected, pushed with `old` (on a table, projected where `keep_old`, else
    None). `push` and `project` (the plain projection) are its names in `env`."""
    order = node.key_order
    if order is not None:
        push = _reorder_keys(order, push)
    scope = node.input.schema.scope()
    own: dict[str, Any] = {"push": push}
    old = "old"
    if node.is_table:
        own["project"] = compile_projection(node.expressions, scope, ctx.functions,
                                            on_error=_sink(ctx, node.id)).fn
        old = "project(old) if old is not None else None" if keep_old else "None"

    def fuse(name: str, head: Sequence[str], env: dict[str, Any], row: str = "row",
             columns: Sequence[str] | None = None) -> Push:
        assert not own.keys() & env.keys(), "the head's names are its own"
        made: Push = compile_projection(
            node.expressions, scope, ctx.functions, on_error=_sink(ctx, node.id),
            around=Around(name, "rec", head,
                          lambda projected: [f"push((key, {projected}, ts, {old}, window))"],
                          {**env, **own}, row, columns)).fn
        return made

    return fuse


def _reorder_keys(order: tuple[int, ...], push: Push) -> Push:
    def reorder(rec: Rec) -> None:
        key, row, ts, old, window = rec
        push((tuple([key[i] for i in order]), row, ts, old, window))

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
        self.make: MakeKey = self.generate(
            {}, ["def make(row):"], lambda key, row: [f"return {key}, {row}"])

    def generate(self, env: dict[str, Any], head: list[str],
                 tail: Callable[[str, str], list[str]], name: str = "make") -> Any:
        """A generated function `name`: the `head` lines, then the re-keying of `row`
        (stopping with a bare return at a null key part where nulls are dropped), then
        `tail(new key, new row)` (Python expressions); operators fold their own work
        around it so that a record costs them one call. Names used come from `env`."""
        body, key, row, names = self.code(env)
        src = Source(names)
        src.emit(0, head[0], *("    " + line for line in [*head[1:], *body, *tail(key, row)]))
        namespace = dict(src.env)
        exec(compile("\n".join(src.lines), "<tote:key>", "exec"), namespace)
        return namespace[name]

    def code(self, env: dict[str, Any]) -> tuple[list[str], str, str, dict[str, Any]]:
        """The re-keying of `row` as statements (see `generate`), the new key and row as
        Python expressions over them, and the names they use (`env` and more)."""
        src = Source(env)
        body, key, row = _key_code(self.parts, self.appended, self.drop_nulls, src)
        return body, key, row, src.env

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


def _key_code(parts: list[tuple[int | None, Callable[[Row], object] | None]],
              appended: Sequence[bool], drop_nulls: bool,
              src: Source) -> tuple[list[str], str, str]:
    """Statements reading or computing the key parts of `row` in order (a bare return at
    the first null one when `drop_nulls`), and the new key and row as expressions over
    them; generated, not a loop over the parts per record."""
    body: list[str] = []
    names: list[str] = []
    for index, (slot, fn) in enumerate(parts):
        name = f"k{index}"
        names.append(name)
        body.append(f"{name} = row[{slot}]" if slot is not None
                    else f"{name} = {src.const(fn)}(row)")
        if drop_nulls:
            body += [f"if {name} is None:", "    return"]
    extra = [n for n, appends in zip(names, appended, strict=True) if appends]
    new_row = f"row + ({''.join(f'{n}, ' for n in extra)})" if extra else "row"
    return body, f"({''.join(f'{n}, ' for n in names)})", new_row


def build_rekey(node: RekeyNode, ctx: BuildContext, push: Push,
                fuse: Fuse | None = None) -> Push:
    """PARTITION BY of a stream (the sink writes the new key): no repartition topic.
    With `fuse` (the next operator's step as generated code, `push` being that operator),
    a record with a value goes through both in one generated function."""
    if not node.keys:
        def to_null(rec: Rec) -> None:
            _, row, ts, old, window = rec
            push(((), row, ts, old, window))
        return to_null
    maker = KeyMaker(node, ctx)

    def rekey_null(rec: Rec) -> None:
        key, _, ts, old, window = rec
        push((maker.key_of_null(key), None, ts, old, window))

    head = ["_, row, ts, old, window = rec", "if row is None:", "    return rekey_null(rec)"]
    if fuse is not None:
        body, key, row, env = maker.code({"rekey_null": rekey_null})
        return fuse("rekey", [*head, *body, f"key = {key}",
                              *([f"row = {row}"] if row != "row" else [])], env)
    rekey: Push = maker.generate(
        {"push": push, "rekey_null": rekey_null}, ["def rekey(rec):", *head],
        lambda key, row: [f"push(({key}, {row}, ts, old, window))"], "rekey")
    return rekey

"""GROUP BY aggregation: one accumulator per aggregate call and key, kept in a state store.

A stream record is added to its group's accumulators; a re-grouped table change undoes
its old row and adds its new one. Every update emits the group's new result row
(keys, aggregate results) with the previous one, as ksqlDB does with its record cache
off. Windowed aggregation (state keyed by key and window) is in `windowed.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tote.core.errors import SqlError
from tote.serde.codegen import Source
from tote.sql.errors import as_statement_error
from tote.sql.expressions import TypeChecker, compile_value
from tote.sql.functions import Aggregator
from tote.sql.planner.logical import AggregateNode
from tote.sql.runtime import values
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.records import Push, Rec, Row, new_tuple


class Call:
    """One aggregate call: its aggregator and compiled per-row arguments."""

    def __init__(self, aggregator: Aggregator, args: Sequence[Callable[[Row], Any]]) -> None:
        self.aggregator = aggregator
        self.args = list(args)


def aggregate_calls(node: AggregateNode, ctx: BuildContext) -> list[Call]:
    scope = node.input.schema.scope()
    out: list[Call] = []
    for agg in node.aggregates:
        checker = TypeChecker(scope, ctx.functions)
        try:
            function, aggregator = checker.resolve_aggregate(agg.call)
        except SqlError as err:
            raise as_statement_error(err) from None
        aggregator.configure(dict(node.settings))
        count = function.split(len(agg.call.args))
        args = [compile_value(arg, scope, ctx.functions).fn for arg in agg.call.args[:count]]
        out.append(Call(aggregator, args))
    return out


def _generated(calls: Sequence[Call]) -> tuple[Callable[[list[Any], Row], list[Any]],
                                                 Callable[[Row, list[Any]], Row]]:
    """`add(accs, row)`: every call's accumulator with one more row (a stream record, the
    common case), and `result(key, accs)`: the group's row; each one generated expression,
    no loop, no argument lists."""
    src = Source({})
    adds, results = [], []
    for index, call in enumerate(calls):
        args = "".join(f", {src.const(fn)}(row)" for fn in call.args)
        adds.append(f"{src.const(call.aggregator.add)}(accs[{index}]{args})")
        results.append(f"{src.const(call.aggregator.result)}(accs[{index}])")
    src.emit(0, "def add(accs, row):", f"    return [{', '.join(adds)}]")
    src.emit(0, "def result(key, accs):",
             f"    return key + ({', '.join(results)},)" if results else "    return key")
    namespace = dict(src.env)
    exec(compile("\n".join(src.lines), "<aggregate>", "exec"), namespace)
    return namespace["add"], namespace["result"]


def build_aggregate(node: AggregateNode, ctx: BuildContext, push: Push,
                    emit_old: bool = True) -> Push:
    assert node.window is None, "windowed aggregation is built by operators.windowed"
    calls = aggregate_calls(node, ctx)
    aggregators = [c.aggregator for c in calls]

    # The store holds each group's live accumulators (aggregators never change one in
    # place); they become their stored form only when written or read back.
    def encode(accs: list[Any]) -> bytes:
        return values.pack([agg.to_state(acc) for agg, acc in zip(aggregators, accs,
                                                                     strict=True)])

    def decode(data: bytes) -> list[Any]:
        return [agg.from_state(s) for agg, s in zip(aggregators, values.unpack(data),
                                                    strict=True)]

    state = ctx.state(node.id, "Aggregate-Materialize", encode, decode)
    add, result = _generated(calls)

    def aggregate(rec: Rec) -> None:
        key, row, ts, old_row, window = rec
        if (row is None and old_row is None) or None in key:
            return
        stored = state.get(key)
        old = result(key, stored) if emit_old and stored is not None else None
        accs = [agg.init() for agg in aggregators] if stored is None else stored
        if old_row is None and row is not None:
            accs = add(accs, row)
            state.put(key, accs)
            push(new_tuple(Rec, (key, result(key, accs), ts, old, window)))
            return
        accs = list(accs)
        for index, call in enumerate(calls):
            if old_row is not None:
                args = [fn(old_row) for fn in call.args]
                accs[index] = call.aggregator.undo(accs[index], *args)
            if row is not None:
                args = [fn(row) for fn in call.args]
                accs[index] = call.aggregator.add(accs[index], *args)
        state.put(key, accs)
        push(new_tuple(Rec, (key, result(key, accs), ts, old, window)))

    return aggregate

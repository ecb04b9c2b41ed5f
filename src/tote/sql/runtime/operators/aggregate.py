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
from tote.sql.ast.expressions import ColumnRef
from tote.sql.errors import as_statement_error
from tote.sql.expressions import TypeChecker, compile_value
from tote.sql.functions import Aggregator
from tote.sql.planner.logical import AggregateNode
from tote.sql.runtime import values
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.transform import Fuse
from tote.sql.runtime.records import Push, Rec, Row


class Call:
    """One aggregate call: its aggregator and compiled per-row arguments (`slots`: the row
    slot of an argument that is a plain column, read inline by generated code)."""

    def __init__(self, aggregator: Aggregator, args: Sequence[Callable[[Row], Any]],
                 slots: Sequence[int | None] = ()) -> None:
        self.aggregator = aggregator
        self.args = list(args)
        self.slots = list(slots) or [None] * len(self.args)


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
        per_row = agg.call.args[:count]
        args = [compile_value(arg, scope, ctx.functions).fn for arg in per_row]
        slots = [scope.resolve(arg).slot if isinstance(arg, ColumnRef) else None
                 for arg in per_row]
        out.append(Call(aggregator, args, slots))
    return out


def _stream_path(calls: Sequence[Call], keys: int, emit_old: bool, env: dict[str, Any],
                 fuse: Fuse | None = None) -> Push:
    """`aggregate(rec)` for a stream record (the common case) as one generated function:
    read the group, add the row to every accumulator (inline where the aggregator gives
    its update as an expression), store and emit; any other record goes to `change`
    (names in `env`: get, mark, live, push, change, init). The store's read and write
    are inline (`KeyState.overlay`); a key that cannot be hashed fails the read with
    TypeError before anything changed, and takes `change` (the methods) instead. With
    `fuse`, the next operator's step follows inline instead of `push` (the row being
    the `keys` parts of the key, then the results)."""
    src = Source(env)
    adds, news, olds, results = [], [], [], []
    for index, call in enumerate(calls):
        agg = call.aggregator
        acc, new = f"stored[{index}]", f"a{index}"
        names = []
        for number, (fn, slot) in enumerate(zip(call.args, call.slots, strict=True)):
            name = f"x{index}_{number}"
            names.append(name)
            adds.append(f"{name} = row[{slot}]" if slot is not None
                        else f"{name} = {src.const(fn)}(row)")
        update = agg.add_code(acc, names)
        adds.append(f"{new} = {update}" if update is not None else
                    f"{new} = {src.const(agg.add)}({', '.join([acc, *names])})")
        news.append(new)
        olds.append(_result(src, agg, acc))
        results.append(_result(src, agg, new))
    # (a null key part, tested part by part: `None in key` compares each to None)
    nulls = "".join(f" or key[{i}] is None" for i in range(keys))
    body = ["key, row, ts, old_row, window = rec",
            f"if old_row is not None or row is None{nulls}:",
            "    return change(rec)",
            "try:",
            "    stored = get(key)",
            "except TypeError:",
            "    return change(rec)",
            "if stored is None:",
            "    stored = init()"]
    if emit_old:
        body += ["    old = None", "else:",
                 f"    old = key + ({''.join(f'{r}, ' for r in olds)})"]
    body += [*adds, "mark(key, key)", f"live[key] = [{', '.join(news)}]"]
    if fuse is not None:
        # The projection reads the key's parts and the results, not a row built of them.
        named = [r if r.isidentifier() else f"r{i}" for i, r in enumerate(results)]
        body += [f"{n} = {r}" for n, r in zip(named, results, strict=True) if n != r]
        row = f"key + ({''.join(f'{n}, ' for n in named)})"
        columns = [*(f"key[{i}]" for i in range(keys)), *named]
        # (the generated projection's globals hold no builtins: its names come from env)
        return fuse("aggregate", body, {**src.env, "TypeError": TypeError}, row, columns)
    row = f"key + ({''.join(f'{r}, ' for r in results)})"
    body.append(f"push((key, {row}, ts, {'old' if emit_old else 'None'}, window))")
    src.emit(0, "def aggregate(rec):", *("    " + line for line in body))
    namespace = dict(src.env)
    exec(compile("\n".join(src.lines), "<aggregate>", "exec"), namespace)
    made: Push = namespace["aggregate"]
    return made


def _result(src: Source, agg: Aggregator, acc: str) -> str:
    code = agg.result_code(acc)
    return code if code is not None else f"{src.const(agg.result)}({acc})"


def build_aggregate(node: AggregateNode, ctx: BuildContext, push: Push,
                    emit_old: bool = True, fuse: Fuse | None = None) -> Push:
    """The GROUP BY operator feeding `push`; with `fuse` (the next operator's step as
    generated code, `push` being that operator), a stream record goes through both in
    one generated function."""
    assert node.window is None, "windowed aggregation is built by operators.windowed"
    calls = aggregate_calls(node, ctx)
    aggregators = [c.aggregator for c in calls]

    # The store holds each group's live accumulators (aggregators never change one in
    # place); they become their stored form only when written or read back.
    def stored_form(accs: list[Any]) -> bytes:
        return values.pack_state([agg.to_state(acc)
                                  for agg, acc in zip(aggregators, accs, strict=True)])

    # Where every stored form is the accumulator itself, the same bytes without the calls.
    encode = values.pack_state if all(agg.stores_as_is for agg in aggregators) else stored_form

    def decode(data: bytes) -> list[Any]:
        return [agg.from_state(s) for agg, s in zip(aggregators, values.unpack_state(data),
                                                    strict=True)]

    state = ctx.state(node.id, "Aggregate-Materialize", encode, decode)

    def result(key: Row, accs: list[Any]) -> Row:
        return key + tuple(call.aggregator.result(acc) for call, acc in zip(calls, accs,
                                                                            strict=True))

    def init() -> list[Any]:
        return [agg.init() for agg in aggregators]

    def change(rec: Rec) -> None:
        """A table change (undo the old row, add the new one) or a record to skip."""
        key, row, ts, old_row, window = rec
        if (row is None and old_row is None) or None in key:
            return
        stored = state.get(key)
        old = result(key, stored) if emit_old and stored is not None else None
        accs = init() if stored is None else list(stored)
        for index, call in enumerate(calls):
            if old_row is not None:
                args = [fn(old_row) for fn in call.args]
                accs[index] = call.aggregator.undo(accs[index], *args)
            if row is not None:
                args = [fn(row) for fn in call.args]
                accs[index] = call.aggregator.add(accs[index], *args)
        state.put(key, accs)
        push((key, result(key, accs), ts, old, window))

    live, changed = state.overlay()
    env = {"get": live.get, "mark": changed.setdefault, "live": live, "change": change,
           "init": init}
    keys = len(node.schema.value) - len(calls)
    return _stream_path(calls, keys, emit_old,
                        env if fuse is not None else {**env, "push": push}, fuse)

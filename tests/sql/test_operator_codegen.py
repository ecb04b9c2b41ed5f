"""The per-record code operators generate behaves as the plain Python it stands for: the
GROUP BY stream path, inlined aggregator updates, join rows, and the state cache under it
(what a step writes, commits and rolls back)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest
from tests.sql.exprkit import FUNCTIONS

from tote.core import types as t
from tote.log.memory import MemoryLog
from tote.sql.ast.queries import JoinType
from tote.sql.functions import Aggregator
from tote.sql.planner.logical import JoinNode
from tote.sql.runtime import values
from tote.sql.runtime.operators.aggregate import Call, _stream_path
from tote.sql.runtime.operators.join import combiner
from tote.sql.runtime.records import Push, Rec
from tote.sql.runtime.state import KeyState

AGGREGATES = [
    ("SUM", [t.DOUBLE], [1.5, None, -2.25]),
    ("SUM", [t.INTEGER], [2147483647, None, 1]),
    ("SUM", [t.BIGINT], [5, None]),
    ("SUM", [t.decimal(4, 2)], [Decimal("1.25"), None]),
    ("COUNT", [], [None]),
    ("COUNT", [t.STRING], ["a", None]),
    ("AVG", [t.INTEGER], [3, None]),
    ("MIN", [t.DOUBLE], [2.0, None]),
    ("COLLECT_LIST", [t.STRING], ["x", None]),
]


def _aggregator(name: str, types: list[t.SqlType]) -> Aggregator:
    return FUNCTIONS.aggregate(name).resolve(types, [])


@pytest.mark.parametrize(("name", "types", "args"), AGGREGATES)
def test_inlined_aggregator_code_computes_what_its_methods_do(
        name: str, types: list[t.SqlType], args: list[Any]) -> None:
    agg = _aggregator(name, types)
    acc = agg.init()
    for arg in args:
        code = agg.add_code("acc", ["x"])
        expected = agg.add(acc, arg) if types else agg.add(acc)
        if code is not None:
            assert eval(code, {"acc": acc, "x": arg}) == expected
        acc = expected
        shown = agg.result_code("acc")
        if shown is not None:
            assert eval(shown, {"acc": acc}) == agg.result(acc)
        if agg.stores_as_is:
            assert agg.to_state(acc) is acc


def _calls() -> list[Call]:
    """SUM(DOUBLE slot 0), COUNT(*), AVG(INT computed), MIN(DOUBLE slot 0)."""
    return [Call(_aggregator("SUM", [t.DOUBLE]), [lambda row: row[0]], [0]),
            Call(_aggregator("COUNT", []), []),
            Call(_aggregator("AVG", [t.INTEGER]), [lambda row: row[1]], [None]),
            Call(_aggregator("MIN", [t.DOUBLE]), [lambda row: row[0]], [0])]


def _generated(state: KeyState, keys: int, emit_old: bool
               ) -> tuple[Push, list[Rec], list[Rec]]:
    """`_stream_path` over `_calls()` on `state`'s maps: the function, what it pushes
    and what it leaves to the general path (`change`)."""
    live, changed = state.overlay()
    out: list[Rec] = []
    others: list[Rec] = []
    calls = _calls()
    aggregate = _stream_path(calls, keys, emit_old, {
        "get": live.get, "mark": changed.setdefault, "live": live, "push": out.append,
        "change": others.append, "init": lambda: [c.aggregator.init() for c in calls]})
    return aggregate, out, others


@pytest.mark.parametrize("emit_old", [True, False])
def test_the_generated_stream_path_adds_stores_and_emits_each_group(emit_old: bool) -> None:
    log = MemoryLog()
    state = KeyState(log, "agg")
    aggregate, out, others = _generated(state, 1, emit_old)
    aggregate((("a",), (1.5, 4), 10, None, None))
    aggregate((("a",), (None, 2), 11, None, None))
    aggregate((("b",), (0.5, None), 12, None, None))
    skipped: list[Rec] = [
        ((None,), (1.0, 1), 13, None, None), (("a",), None, 14, None, None),
        (("a",), (1.0, 1), 15, (2.0, 2), None),
        ((["a"],), (1.0, 1), 16, None, None)]  # an unhashable key part: the methods' path
    for rec in skipped:
        aggregate(rec)
    assert others == skipped  # left to the general path
    first, second = ("a", 1.5, 1, 4.0, 1.5), ("a", 1.5, 2, 3.0, 1.5)
    assert out == [(("a",), first, 10, None, None),
                   (("a",), second, 11, first if emit_old else None, None),
                   (("b",), ("b", 0.5, 1, 0.0, 0.5), 12, None, None)]
    assert state.get(("a",)) == [1.5, 2, [6, 2], 1.5]
    # The inline writes are the store's changes: flushed and committed like `put`'s.
    with log.transactional_producer("t").begin() as txn:
        state.flush(txn)
    state.commit()
    assert sorted(_committed(log, "agg")) == sorted(
        [values.encode(["a"]), values.encode(["b"])])
    assert KeyState(log, "agg").get(("b",)) == state.get(("b",))
    # ... and rolled back like them.
    committed_b = state.get(("b",))
    aggregate((("b",), (1.0, 1), 17, None, None))
    aggregate((("c",), (1.0, 1), 18, None, None))
    assert state.get(("b",)) != committed_b
    state.rollback()
    assert not state.dirty and state.get(("c",)) is None
    assert state.get(("b",)) == committed_b


def test_the_generated_stream_path_leaves_a_key_with_any_null_part_to_the_methods() -> None:
    aggregate, out, others = _generated(KeyState(MemoryLog(), "agg"), 2, False)
    nulls: list[Rec] = [((None, "x"), (1.0, 1), 1, None, None),
                        (("x", None), (1.0, 1), 2, None, None)]
    for rec in [*nulls, (("x", "y"), (1.0, 1), 3, None, None)]:
        aggregate(rec)
    assert others == nulls
    assert out == [(("x", "y"), ("x", "y", 1.0, 1, 1.0, 1.0), 3, None, None)]


@pytest.mark.parametrize(("kind", "synthetic"),
                         list(itertools.product(list(JoinType), [False, True])))
def test_join_rows_follow_the_join_type(kind: JoinType, synthetic: bool) -> None:
    sides = SimpleNamespace(schema=SimpleNamespace(value=("A", "B")))
    node = cast(JoinNode, SimpleNamespace(type=kind, synthetic_key=synthetic, left=sides,
                                          right=sides))
    combine = combiner(node)
    keeps_left = kind in (JoinType.LEFT, JoinType.OUTER)
    keeps_right = kind in (JoinType.RIGHT, JoinType.OUTER)
    for left, right in itertools.product([("l1", "l2"), None], [("r1", "r2"), None]):
        if (left is None and not keeps_right) or (right is None and not keeps_left) or (
                left is None and right is None):
            expected = None
        else:
            row = (left or (None, None)) + (right or (None, None))
            expected = (*row, "k") if synthetic else row
        assert combine(left, right, ("k",)) == expected


def _committed(log: MemoryLog, name: str) -> dict[bytes, bytes]:
    return dict(log.store(name).items())


def test_a_store_writes_commits_and_rolls_back_a_step_exactly() -> None:
    log = MemoryLog()
    producer = log.transactional_producer("t")
    state = KeyState(log, "s")
    state.put(("a",), [1])
    state.put(([1, 2],), [2])  # an unhashable key part
    state.put(("gone",), [3])
    with producer.begin() as txn:
        state.flush(txn)
    state.commit()
    raw_a, raw_list = values.encode(["a"]), values.encode([[1, 2]])
    assert _committed(log, "s") == {raw_a: values.pack_state([1]), raw_list: values.pack_state([2]),
                                    values.encode(["gone"]): values.pack_state([3])}

    # A step that changes, deletes and adds, then is rolled back after its flush.
    state.put(("a",), [10])
    state.put(("gone",), None)
    state.put(("new",), [4])
    assert (state.get(("a",)), state.get(("gone",)), state.get(("new",))) == ([10], None, [4])
    assert dict(state.items()) == {("a",): [10], (((1, 2),)): [2], ("new",): [4]}
    txn = producer.begin()
    state.flush(txn)
    txn.abort()
    state.rollback()
    assert not state.dirty
    assert (state.get(("a",)), state.get(("gone",)), state.get(("new",))) == ([1], [3], None)
    assert state.get(([1, 2],)) == [2]
    assert sorted(state.raw_keys()) == sorted(_committed(log, "s"))

    # The same changes committed; a restart reads exactly the committed state.
    state.put(("a",), [10])
    state.put(("gone",), None)
    state.put(("new",), [4])
    with producer.begin() as txn:
        state.flush(txn)
    state.commit()
    assert values.encode(["gone"]) not in _committed(log, "s")
    again = KeyState(log, "s")
    assert dict(again.items()) == dict(state.items()) == {
        ("a",): [10], (((1, 2),)): [2], ("new",): [4]}
    assert sorted(again.raw_keys()) == sorted(state.raw_keys()) == sorted(
        _committed(log, "s"))


def test_a_loaded_key_keeps_the_bytes_it_was_stored_under() -> None:
    log = MemoryLog()
    producer = log.transactional_producer("t")
    stored = b'[ "a" ]'  # not how the engine writes ["a"] today
    with producer.begin() as txn:
        txn.put("s", stored, values.pack([1]))
    state = KeyState(log, "s")
    state.put(("a",), [2])
    with producer.begin() as txn:
        state.flush(txn)
    state.commit()
    assert _committed(log, "s") == {stored: values.pack_state([2])}


def test_values_stored_in_earlier_forms_load_and_are_rewritten_in_the_current_one() -> None:
    """Stores written before hold pickled values, and before that JSON ones."""
    log = MemoryLog()
    producer = log.transactional_producer("t")
    with producer.begin() as txn:
        txn.put("s", values.encode(["p"]), values.pack([1.5, "x", True]))
        txn.put("s", values.encode(["j"]), b'[2,"y",null]')
    state = KeyState(log, "s")
    assert dict(state.items()) == {("p",): [1.5, "x", True], ("j",): [2, "y", None]}
    state.put(("p",), [3.5, "x", False])
    with producer.begin() as txn:
        state.flush(txn)
    state.commit()
    assert _committed(log, "s")[values.encode(["p"])] == values.pack_state([3.5, "x", False])
    assert dict(KeyState(log, "s").items()) == {("p",): [3.5, "x", False],
                                                ("j",): [2, "y", None]}


def test_a_step_committed_without_a_flush_knows_its_keys_bytes() -> None:
    """A transient query's state is committed per record and never written."""
    state = KeyState(MemoryLog(), "s")
    state.put(("a", 1), [1])
    state.commit()
    state.put(("b", 2), [2])
    state.rollback()
    assert list(state.raw_keys()) == [values.encode(["a", 1])]
    assert dict(state.items()) == {("a", 1): [1]}

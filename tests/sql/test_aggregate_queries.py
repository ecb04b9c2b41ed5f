"""GROUP BY queries end to end: what a user sees from TOPK with extra columns, the
`ksql.functions.collect_*.limit` settings, and the formats an aggregation's state needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tote.core.errors import SqlError
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.testing import produce, rows

SCORES = (
    "CREATE STREAM scores (player STRING KEY, game STRING, points INT) "
    "WITH (kafka_topic='scores', partitions=1, value_format='JSON');"
)
PLAYS = [
    (("ann",), ("chess", 7)),
    (("ann",), ("go", 9)),
    (("ann",), ("poker", None)),
    (("ann",), ("darts", 7)),
    (("ann",), ("bridge", 8)),
]


MakeEngine = Callable[..., Engine]


@pytest.fixture
def make_engine() -> Iterator[MakeEngine]:
    """Engines with the given server properties, each with the SCORES stream."""
    with ExitStack() as stack:

        def make(**properties: object) -> Engine:
            log = MemoryLog()
            registry = stack.enter_context(Registry(log))
            eng = Engine(log, registry,
                         properties={"auto.offset.reset": "earliest", **properties})
            stack.callback(eng.close)
            eng.execute(SCORES)
            return eng

        yield make


def test_topk_with_other_columns_returns_structs_best_first(make_engine: MakeEngine) -> None:
    engine = make_engine()
    engine.execute(
        "CREATE TABLE best AS SELECT player, TOPK(points, game, 2) AS top "
        "FROM scores GROUP BY player;"
    )
    produce(engine, "SCORES", PLAYS)
    engine.run_until_idle()
    tops = [row[1] for row in rows(engine, "BEST")]
    assert tops[0] == [{"sort_col": 7, "col0": "chess"}]
    assert tops[1] == [{"sort_col": 9, "col0": "go"}, {"sort_col": 7, "col0": "chess"}]
    assert tops[2] == tops[1]  # a NULL value is not ranked
    assert tops[3] == tops[1]  # a tie with the last kept one does not displace it
    assert tops[4] == [{"sort_col": 9, "col0": "go"}, {"sort_col": 8, "col0": "bridge"}]


def test_collect_list_and_set_keep_at_most_the_configured_limit(make_engine: MakeEngine) -> None:
    engine = make_engine(**{"ksql.functions.collect_list.limit": 2,
                            "ksql.functions.collect_set.limit": "3"})
    engine.execute(
        "CREATE TABLE games AS SELECT player, COLLECT_LIST(game) AS played, "
        "COLLECT_SET(points) AS points FROM scores GROUP BY player;"
    )
    produce(engine, "SCORES", PLAYS)
    engine.run_until_idle()
    assert rows(engine, "GAMES")[-1] == ("ann", ["chess", "go"], [7, 9, None])


def test_collect_list_has_no_limit_unless_configured(make_engine: MakeEngine) -> None:
    engine = make_engine()
    engine.execute(
        "CREATE TABLE games AS SELECT player, COLLECT_LIST(points) AS all_points "
        "FROM scores GROUP BY player;"
    )
    produce(engine, "SCORES", [(("bob",), ("g", n)) for n in range(1200)])
    engine.run_until_idle()
    assert rows(engine, "GAMES")[-1] == ("bob", list(range(1200)))


@pytest.mark.parametrize(
    "aggregate", ["COLLECT_LIST(points)", "TOPK(points, 2)", "HISTOGRAM(game)", "AVG(points)",
                  "STDDEV_SAMP(points)", "STDDEV_SAMPLE(points)", "CORRELATION(points, points)"]
)
def test_delimited_cannot_hold_a_structured_aggregation_state(
    make_engine: MakeEngine, aggregate: str
) -> None:
    engine = make_engine()
    engine.execute(
        "CREATE STREAM flat (player STRING KEY, game STRING, points INT) "
        "WITH (kafka_topic='flat', partitions=1, value_format='DELIMITED');"
    )
    with pytest.raises(SqlError) as failed:
        engine.execute(
            f"CREATE TABLE t AS SELECT player, {aggregate} AS a FROM flat GROUP BY player;"
        )
    assert failed.value.message.startswith(
        "One of the functions used in the statement has an intermediate type that the "
        "value format can not handle."
    )
    engine.execute(
        "CREATE TABLE ok AS SELECT player, MAX(points) AS a FROM flat GROUP BY player;"
    )


def test_attr_on_a_table_follows_rows_moving_between_groups(make_engine: MakeEngine) -> None:
    """ATTR names the one value a group holds; when the odd row moves to another group, the
    group's remaining value shows again."""
    engine = make_engine()
    engine.execute(
        "CREATE TABLE seats (seat INT PRIMARY KEY, room STRING, owner STRING) "
        "WITH (kafka_topic='seats', partitions=1, value_format='JSON');"
    )
    engine.execute(
        "CREATE TABLE owners AS SELECT room, ATTR(owner) AS owner FROM seats GROUP BY room;"
    )
    produce(engine, "SEATS", [
        ((1,), ("red", "ann")),
        ((2,), ("red", "ann")),
        ((3,), ("red", "bob")),
        ((3,), ("blue", "bob")),
        ((2,), ("blue", "ann")),
    ])
    engine.run_until_idle()
    assert rows(engine, "OWNERS") == [
        ("red", "ann"), ("red", "ann"), ("red", None), ("red", "ann"), ("blue", "bob"),
        ("red", "ann"), ("blue", None),
    ]


def test_grouping_by_an_array_keeps_one_group_per_array() -> None:
    """An ARRAY key cannot be hashed as it is: the generated stream path hands such a
    record to the general one, which must still add it to its own group."""
    log = MemoryLog()
    with Registry(log) as registry:
        engine = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
        try:
            engine.execute(
                "CREATE STREAM tagged (player STRING KEY, tags ARRAY<STRING>, points INT) "
                "WITH (kafka_topic='tagged', partitions=1, value_format='JSON', "
                "key_format='JSON');")
            engine.execute(
                "CREATE TABLE by_tags WITH (key_format='JSON') AS "
                "SELECT tags, SUM(points) AS total FROM tagged GROUP BY tags;")
            produce(engine, "TAGGED", [(("ann",), (["a", "b"], 1)), (("bob",), (["a", "b"], 2)),
                                       (("cy",), (["c"], 4)), (("ann",), (["a", "b"], 8))])
            engine.run_until_idle()
            assert rows(engine, "BY_TAGS") == [(["a", "b"], 1), (["a", "b"], 3), (["c"], 4),
                                               (["a", "b"], 11)]
        finally:
            engine.close()

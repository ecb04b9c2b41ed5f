"""Readers called at once (`runtime.direct`): where the runtime calls a reader as its
writer emits instead of queueing the record in the reader's lane, every output must be
exactly what the queued order gives (the per-record order of DESIGN §6), and a reader
that fails must stop its own query, not the writer's. Real engines over SQLite logs,
each pipeline run twice: as the runtime runs it, and with every task queued."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.seed.files import STATEMENTS_FILE, packaged_file
from tote.sql.engine import Engine
from tote.sql.runtime import runtime as runtime_module
from tote.sql.testing import produce, rows

BETS = """
    SET 'auto.offset.reset' = 'earliest';
    CREATE STREAM bets (runner INT KEY, race INT, amount DOUBLE, tags ARRAY<STRING>)
        WITH (kafka_topic='bets', partitions=1, value_format='JSON');
"""
PIPELINES = {
    # The seed's statements: re-keyed streams, aggregates, a three-way stream-table join.
    "seed": packaged_file(STATEMENTS_FILE).decode(),
    # A filter and EXPLODE (none, one or several records per input) feeding aggregates
    # re-keyed through repartition topics.
    "fan-out": BETS + """
        CREATE STREAM big AS SELECT * FROM bets WHERE amount > 3;
        CREATE STREAM tagged AS SELECT runner, race, EXPLODE(tags) AS tag FROM big;
        CREATE TABLE per_tag AS SELECT tag, COUNT(*) AS n FROM tagged GROUP BY tag;
        CREATE TABLE per_race AS SELECT race, SUM(amount) AS total, COUNT(*) AS n
            FROM bets GROUP BY race;
    """,
    # A stream-table join whose stream is written by a query ranked before the table's:
    # the join stays queued (its table changes must reach it first), the rest is not.
    "stream before table": BETS + """
        CREATE STREAM by_race AS SELECT race, runner, amount FROM bets PARTITION BY race;
        CREATE TABLE race_totals AS SELECT race, SUM(amount) AS total FROM bets
            GROUP BY race;
        CREATE STREAM joined AS SELECT b.race AS race, b.amount AS amount, t.total AS total
            FROM by_race b LEFT JOIN race_totals t ON b.race = t.race;
    """,
    # A table-table join (two tables in one lane): every task is queued. Called at once,
    # the table written through the longer chain (from the reader ranked first) would
    # change first, where its lane takes the other's change first.
    "table-table": BETS + """
        CREATE STREAM big AS SELECT * FROM bets WHERE amount > 3;
        CREATE TABLE per_race AS SELECT race, SUM(amount) AS total FROM bets GROUP BY race;
        CREATE TABLE per_race_top AS SELECT race, MAX(amount) AS top FROM big
            GROUP BY race;
        CREATE TABLE both_tables AS SELECT r.race AS race, total, top
            FROM per_race r JOIN per_race_top b ON r.race = b.race;
    """,
    # Readers of one source, a stream and a table, decoding each record once for all of
    # them (`Runtime._readers_of`): bad records, tombstones and null keys included.
    "one decoding": """
        SET 'auto.offset.reset' = 'earliest';
        CREATE STREAM flat (runner INT KEY, race INT, amount DOUBLE)
            WITH (kafka_topic='bets', partitions=1, value_format='JSON');
        CREATE TABLE latest (runner INT PRIMARY KEY, race INT, amount DOUBLE)
            WITH (kafka_topic='bets', value_format='JSON');
        CREATE STREAM big AS SELECT * FROM flat WHERE amount > 2;
        CREATE STREAM doubled AS SELECT runner, race, amount * 2 AS amount FROM flat;
        CREATE TABLE totals AS SELECT runner, SUM(amount) AS total FROM flat GROUP BY runner;
        CREATE TABLE latest_copy AS SELECT runner, race, amount FROM latest;
        CREATE TABLE latest_big AS SELECT * FROM latest WHERE amount > 4;
    """,
    # Tables reading tables their writers hand over decoded (`Runtime._direct_rows`),
    # filtered, so kept with their rows (a source's `changed`), tombstones included.
    "handed tables": BETS + """
        CREATE TABLE per_race WITH (value_format='AVRO') AS
            SELECT race, SUM(amount) AS total, COUNT(*) AS n FROM bets GROUP BY race;
        CREATE TABLE small_races WITH (value_format='AVRO') AS
            SELECT race, total, n FROM per_race WHERE n < 40;
        CREATE TABLE small_copy AS SELECT race, total FROM small_races WHERE total > 1;
    """,
    # Two writers into one stream (INSERT INTO): every task is queued. Called at once,
    # the writer reading through a copy would write first.
    "two writers": BETS + """
        CREATE STREAM copied AS SELECT * FROM bets;
        CREATE STREAM merged AS SELECT runner, race, amount FROM copied;
        INSERT INTO merged SELECT runner, race, amount * 2 AS amount FROM bets;
        CREATE TABLE merged_totals AS SELECT race, SUM(amount) AS total FROM merged
            GROUP BY race;
    """,
}


def _bets(count: int) -> list[Record]:
    out = []
    for i in range(count):
        value = {"RACE": i % 3, "AMOUNT": float(i % 9), "TAGS": ["a", "b", "a"][: i % 4] or None}
        data = (b"{bad" if i % 50 == 7 else None if i % 40 == 3 else b"null" if i % 45 == 5
                else json.dumps(value).encode())
        key = None if i % 30 == 11 else (i % 5).to_bytes(4, "big")
        out.append(Record(data, key, (), 1_000 + i, 0))
    return out


def _run(path: Path, name: str) -> tuple[dict[str, list[tuple[object, ...]]], int]:
    """Every record the pipeline writes, and how many tasks were queued."""
    with SqliteLog(path) as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(PIPELINES[name])
        engine.run_until_idle()
        if name == "seed":
            log.append("tote_win_bets", _seed_bets(registry, 300))
        else:
            log.append("bets", _bets(300))
        engine.run_until_idle()
        queued = sum(1 for task in engine.runtime.tasks()
                     if id(task) not in engine.runtime._direct)
        topics = {q.plan.root.target.topic for q in engine.runtime.queries.values()}
        out: dict[str, list[tuple[object, ...]]] = {"errors": [
            (e.query_id, e.message, e.topic, e.partition, e.offset)
            for e in engine.processing_log.errors]}
        for topic in sorted(topics):
            records: list[tuple[object, ...]] = []
            for partition in range(log.describe_topic(topic).spec.partitions):
                records += [(r.partition, r.offset, r.key, r.value, r.headers, r.timestamp)
                            for r in log.read(TopicPartition(topic, partition), 0, 10_000)]
            assert records, topic
            out[topic] = records
        engine.close()
    return out, queued


def _seed_bets(registry: Registry, count: int) -> list[Record]:
    from tote.serde.avro import AvroCodec

    codec = AvroCodec(registry.get_schema(1).schema)
    return [Record(codec.encode_framed(1, {"RUNNER_ID": i % 12 + 1, "RACE_ID": i % 7,
                                           "AMOUNT": float(i % 11)}), None, (), 1_000 + i, 0)
            for i in range(count)]


@pytest.mark.parametrize(("name", "queued"), [
    ("seed", 0), ("fan-out", 0), ("stream before table", 1), ("table-table", 6),
    ("one decoding", 0), ("handed tables", 0),
    ("two writers", 5)])
def test_readers_called_at_once_write_what_queued_readers_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, queued: int) -> None:
    live, found = _run(tmp_path / "live.db", name)
    assert found == queued  # (which tasks the runtime calls at once)
    monkeypatch.setattr(runtime_module, "direct_tasks", lambda *_: frozenset())
    every_task_queued, _ = _run(tmp_path / "queued.db", name)
    assert live == every_task_queued


STOPPING = """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT DECIMAL(4,1)) WITH (kafka_topic='bets',
    partitions=1, value_format='JSON');
CREATE STREAM COPIED AS SELECT RUNNER, AMOUNT FROM BETS;
CREATE TABLE POOLS AS SELECT RUNNER, SUM(AMOUNT) AS POOL FROM COPIED GROUP BY RUNNER;
"""


HANDED_STOPPING = """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT DOUBLE) WITH (kafka_topic='bets',
    partitions=1, value_format='JSON');
CREATE STREAM COPIED WITH (value_format='AVRO') AS SELECT RUNNER, AMOUNT FROM BETS;
CREATE TABLE POOLS AS SELECT RUNNER, SUM(CAST(AMOUNT AS DECIMAL(4,1))) AS POOL
    FROM COPIED GROUP BY RUNNER;
"""


@pytest.mark.parametrize(("statements", "amounts"), [
    (STOPPING, [Decimal("600.0"), Decimal("5.0"), Decimal("300.0"), Decimal("200.0"),
                Decimal("7.5")]),
    # COPIED hands its records to POOLS decoded (AVRO values, INT keys:
    # `Runtime._direct_rows`, the sink's sender and the reader's entry in one).
    (HANDED_STOPPING, [600.0, 5.0, 300.0, 200.0, 7.5]),
], ids=["as written", "handed rows"])
def test_a_reader_called_at_once_that_fails_stops_its_own_query(
        tmp_path: Path, statements: str, amounts: list[object]) -> None:
    """POOLS takes COPIED's records as COPIED writes them; its DECIMAL(4,1) sum overflows
    on runner 1's third bet: POOLS stops there, COPIED writes every bet."""
    bets = [((runner,), (amount,)) for runner, amount in zip([1, 2, 1, 1, 2], amounts,
                                                             strict=True)]
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(statements)
        engine.run_until_idle()
        assert len(engine.runtime._direct) == 2  # (COPIED and POOLS: called at once)
        produce(engine, "BETS", bets)
        engine.run_until_idle()
        failed = {q for q, query in engine.runtime.queries.items() if query.failure}
        assert failed == {"CTAS_POOLS_3"}
        assert rows(engine, "COPIED") == [(k[0], v[0]) for k, v in bets]
        assert rows(engine, "POOLS") == [
            (1, Decimal("600.0")), (2, Decimal("5.0")), (1, Decimal("900.0"))]
        engine.close()


COPYING = """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT DECIMAL(4,1)) WITH (kafka_topic='bets',
    partitions=1, value_format='JSON');
CREATE STREAM COPIED AS SELECT RUNNER, AMOUNT FROM BETS;
"""
SHARING = COPYING + """
CREATE TABLE POOLS AS SELECT RUNNER, SUM(AMOUNT) AS POOL FROM BETS GROUP BY RUNNER;
"""
BETS_RUN = [((1,), (Decimal("600.0"),)), ((2,), (Decimal("5.0"),)),
            ((1,), (Decimal("300.0"),)), ((1,), (Decimal("200.0"),)),
            ((2,), (Decimal("7.5"),))]


def test_readers_sharing_a_decoding_fail_on_their_own(tmp_path: Path) -> None:
    """COPIED and POOLS decode BETS once for both, moving one position for both
    (`runtime._Mark`): POOLS stops on runner 1's third bet, COPIED takes every bet, and
    each one's position is where it stopped."""
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(SHARING)
        engine.run_until_idle()
        produce(engine, "BETS", BETS_RUN)
        engine.run_until_idle()
        failed = {q for q, query in engine.runtime.queries.items() if query.failure}
        assert failed == {"CTAS_POOLS_3"}
        assert rows(engine, "COPIED") == [(k[0], v[0]) for k, v in BETS_RUN]
        assert rows(engine, "POOLS") == [
            (1, Decimal("600.0")), (2, Decimal("5.0")), (1, Decimal("900.0"))]
        tp = TopicPartition("bets", 0)
        at = {q: [t.committed.get(tp) for t in query.tasks]
              for q, query in engine.runtime.queries.items()}
        assert at == {"CSAS_COPIED_2": [5], "CTAS_POOLS_3": [3]}
        engine.close()


def test_readers_sharing_a_decoding_from_different_positions(tmp_path: Path) -> None:
    """A reader of BETS created after COPIED has read some bets starts behind it: the
    step's first records are COPIED's no more, so each reader's own position decides
    (not one for both), and each takes every bet once."""
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(COPYING)
        produce(engine, "BETS", BETS_RUN[:2])
        engine.run_until_idle()
        engine.execute("CREATE STREAM TWICE AS SELECT RUNNER, AMOUNT * 2 AS A FROM BETS;")
        produce(engine, "BETS", BETS_RUN[2:])
        engine.run_until_idle()
        assert rows(engine, "COPIED") == [(k[0], v[0]) for k, v in BETS_RUN]
        assert rows(engine, "TWICE") == [(k[0], v[0] * 2) for k, v in BETS_RUN]
        tp = TopicPartition("bets", 0)
        assert [t.committed.get(tp) for t in engine.runtime.tasks()] == [5, 5]
        engine.close()

"""A sink's record read by another query in the same step reaches it with the key and
row the sink already has instead of being decoded (`rows.Handing`, `runtime._predicted`):
what every reader makes of it must be exactly what it would make of the decoded record,
so the live pipeline's outputs equal those of readers that read the same records back
from the log later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tote.core import types as t
from tote.core.records import Record, TopicPartition
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.serde.avro_flat import FlatEncodeError
from tote.sql.codecs import build_codec
from tote.sql.codecs.rows import RowCodec, handing, reading_shape
from tote.sql.engine import Engine
from tote.sql.sources import FormatInfo, SourceColumn

SOURCE = """
    SET 'auto.offset.reset' = 'earliest';
    CREATE STREAM s (id INT KEY, name STRING, amount DOUBLE, n BIGINT)
        WITH (kafka_topic='s', partitions=2, value_format='JSON');
"""
# Queries whose outputs are read by the next ones (AVRO values; INT and BIGINT keys are
# handed over, STRING keys are not: a lone surrogate is written as '?').
WRITERS = """
    CREATE STREAM by_id WITH (value_format='AVRO', partitions=2) AS
        SELECT id, name, amount, n FROM s PARTITION BY id;
    CREATE STREAM by_n WITH (value_format='AVRO') AS SELECT n, id, amount FROM s PARTITION BY n;
    CREATE STREAM by_name WITH (value_format='AVRO') AS
        SELECT name, id, amount FROM s PARTITION BY name;
    CREATE STREAM listy WITH (value_format='AVRO') AS
        SELECT id, ARRAY[name, name] AS tags, amount FROM s;
    CREATE TABLE totals WITH (value_format='AVRO') AS
        SELECT n, SUM(amount) AS total, COUNT(*) AS c FROM by_n GROUP BY n;
"""
READERS = """
    CREATE STREAM seen WITH (value_format='JSON') AS
        SELECT id, name, amount, n, ROWOFFSET AS o, ROWPARTITION AS p, ROWTIME AS rt FROM by_id;
    CREATE STREAM seen_n WITH (value_format='JSON') AS
        SELECT n, id, amount, ROWOFFSET AS o FROM by_n;
    CREATE STREAM seen_name WITH (value_format='JSON') AS
        SELECT name, CONCAT(name, '!') AS v, id, amount FROM by_name;
    CREATE STREAM seen_list WITH (value_format='JSON') AS SELECT id, tags, amount FROM listy;
    CREATE TABLE totals_copy WITH (value_format='JSON') AS SELECT n, total, c FROM totals;
    CREATE TABLE big_totals WITH (value_format='AVRO') AS
        SELECT n, total FROM totals WHERE c < 3;
    CREATE TABLE big_copy WITH (value_format='JSON') AS SELECT n, total FROM big_totals;
    CREATE STREAM narrow (id INT KEY, amount DOUBLE)
        WITH (kafka_topic='BY_ID', value_format='AVRO');
    CREATE STREAM seen_narrow WITH (value_format='JSON') AS SELECT id, amount FROM narrow;
    CREATE STREAM with_headers (id INT KEY, name STRING, amount DOUBLE, n BIGINT,
        h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS)
        WITH (kafka_topic='BY_ID', value_format='AVRO');
    CREATE STREAM amounts WITH (value_format='JSON') AS SELECT id, amount, h FROM with_headers;
"""
OUTPUTS = ["BY_ID", "BY_N", "BY_NAME", "LISTY", "TOTALS", "SEEN", "SEEN_N", "SEEN_NAME",
           "SEEN_LIST", "TOTALS_COPY", "BIG_TOTALS", "BIG_COPY", "SEEN_NARROW", "AMOUNTS"]


def _inputs() -> list[Record]:
    names = ["a", "b", None, "c\ud800", "a", "b"]
    out = []
    for i in range(40):
        value = {"NAME": names[i % len(names)], "AMOUNT": i * 1.5 if i % 7 else None,
                 "N": None if i % 5 == 0 else i % 4 - 2 + (1 << 40) * (i % 3)}
        headers = (("h", f"x{i}".encode()),) if i % 2 else ()
        out.append(Record(json.dumps(value).encode(), i.to_bytes(4, "big"), headers,
                          1_000 + i, i % 2))
    return out


def _run(path: Path, *, later: bool) -> dict[str, list[tuple[object, ...]]]:
    """Every record of every output; `later`: the readers start after the writers have
    taken every input, so they read each record back from the log (decoding it)."""
    with SqliteLog(path) as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(SOURCE + WRITERS + ("" if later else READERS))
        engine.run_until_idle()
        log.append("s", _inputs())
        engine.run_until_idle()
        if later:
            engine.execute(READERS)
            engine.run_until_idle()
        else:
            # The readers did take records as they were written (else this tests nothing).
            assert any(task.decoded for task in engine.runtime.tasks())
        out: dict[str, list[tuple[object, ...]]] = {}
        for topic in OUTPUTS:
            records: list[tuple[object, ...]] = []
            out[topic] = records
            for partition in range(log.describe_topic(topic).spec.partitions):
                records += [(r.partition, r.offset, r.key, r.value, r.headers, r.timestamp)
                            for r in log.read(TopicPartition(topic, partition), 0, 10_000)]
            assert records, topic
        engine.close()
    return out


def test_readers_in_the_same_step_make_what_readers_of_the_log_make(tmp_path: Path) -> None:
    live = _run(tmp_path / "live.db", later=False)
    read_back = _run(tmp_path / "later.db", later=True)
    for topic in OUTPUTS:
        assert live[topic] == read_back[topic], topic
    # (Deletions too: a table's tombstones reach its reader.)
    assert any(value is None for *_, value, _, _ in live["BIG_COPY"])


def _codecs(registry: Registry, key: t.SqlType,
            *value: tuple[str, t.SqlType]) -> tuple[RowCodec, RowCodec]:
    return (build_codec([SourceColumn("K", key)], FormatInfo("KAFKA"), topic="x", is_key=True,
                        registry=registry),
            build_codec([SourceColumn(n, sql) for n, sql in value], FormatInfo("AVRO"),
                        topic="x", is_key=False, registry=registry))


def test_a_row_decoding_otherwise_is_not_handed() -> None:
    """An int in a DOUBLE column decodes as a float: the sink's exact encoder refuses
    it (the sink then writes it as usual and hands nothing); a float row decodes back
    to itself."""
    with MemoryLog() as log, Registry(log) as registry:
        key_codec, value_codec = _codecs(registry, t.INTEGER, ("D", t.DOUBLE), ("S", t.STRING))
        hand = handing(key_codec, value_codec)
        assert hand is not None and hand.key_type is int
        with pytest.raises(FlatEncodeError):
            hand.encode((1, "x"))
        assert value_codec.decode(value_codec.encode((1, "x"))) == (1.0, "x")
        assert value_codec.decode(hand.encode((1.0, None))) == (1.0, None)


@pytest.mark.parametrize("key, value", [
    (t.DOUBLE, [("D", t.DOUBLE)]),  # a NaN key decodes as another object
    (t.STRING, [("D", t.DOUBLE)]),  # a lone surrogate is written as '?'
    (t.INTEGER, [("L", t.array(t.INTEGER))]),  # lists are copied for each reader
])
def test_codecs_whose_rows_are_not_handed(key: t.SqlType,
                                          value: list[tuple[str, t.SqlType]]) -> None:
    with MemoryLog() as log, Registry(log) as registry:
        assert handing(*_codecs(registry, key, *value)) is None


def test_readers_of_other_columns_decode_otherwise() -> None:
    with MemoryLog() as log, Registry(log) as registry:
        wide = reading_shape(*_codecs(registry, t.INTEGER, ("A", t.DOUBLE), ("B", t.INTEGER)))
        assert wide is not None
        assert wide != reading_shape(*_codecs(registry, t.INTEGER, ("A", t.DOUBLE)))
        assert wide != reading_shape(*_codecs(registry, t.BIGINT, ("A", t.DOUBLE),
                                              ("B", t.INTEGER)))

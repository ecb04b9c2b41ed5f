"""What persistent queries do with a record's headers and timestamp.

* Headers: an output record carries the headers of the input record that caused it,
  through filters, re-keying (a repartition topic) and joins (the record that arrived
  last), as Kafka Streams forwards them.
* A sink's TIMESTAMP column sets each output record's time; a row whose time cannot be
  had (negative, or text that does not match TIMESTAMP_FORMAT) is not written.
* In WHERE, timestamp text compared with ROWTIME or a window bound means epoch ms.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tote.core.records import Record, TopicPartition
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.results import QueryList
from tote.sql.testing import records, source

Headers = tuple[tuple[str, bytes | None], ...]


def send(engine: Engine, stream: str, key: str, value: dict[str, Any], *,
         headers: Headers = (), timestamp: int = 1000) -> None:
    """One JSON record with a STRING key (KAFKA format), then process it."""
    engine.log.append(source(engine, stream).topic, [Record(
        json.dumps(value).encode(), key.encode(), headers, timestamp)])
    engine.run_until_idle()


def headers_of(engine: Engine, name: str) -> list[Headers]:
    topic = source(engine, name).topic
    out: list[Headers] = []
    for partition in range(engine.log.describe_topic(topic).spec.partitions):
        out.extend(r.headers for r in engine.log.read(TopicPartition(topic, partition), 0,
                                                      1000))
    return out


TRACE = (("trace-id", b"t-1"), ("origin", None))


def test_headers_follow_a_record_through_a_filter(engine: Engine) -> None:
    engine.execute("CREATE STREAM S (K STRING KEY, N INT) WITH (kafka_topic='s', "
                   "partitions=1, value_format='JSON');")
    engine.execute("CREATE STREAM BIG AS SELECT K, N FROM S WHERE N > 10;")
    send(engine, "S", "a", {"N": 50}, headers=TRACE)
    send(engine, "S", "b", {"N": 5}, headers=(("trace-id", b"t-2"),))
    send(engine, "S", "c", {"N": 60})
    assert headers_of(engine, "BIG") == [TRACE, ()]


def test_headers_survive_a_repartition_into_an_aggregate(engine: Engine) -> None:
    engine.execute("CREATE STREAM S (K STRING KEY, CITY STRING) WITH (kafka_topic='s', "
                   "partitions=1, value_format='JSON');")
    engine.execute("CREATE TABLE PER_CITY AS SELECT CITY, COUNT(*) AS N FROM S "
                   "GROUP BY CITY;")
    send(engine, "S", "a", {"CITY": "Oslo"}, headers=(("batch", b"1"),))
    send(engine, "S", "b", {"CITY": "Oslo"}, headers=(("batch", b"2"),))
    assert headers_of(engine, "PER_CITY") == [(("batch", b"1"),), (("batch", b"2"),)]


def test_a_join_result_carries_the_headers_of_the_record_that_completed_it(
        engine: Engine) -> None:
    engine.execute("CREATE STREAM L (K STRING KEY, A INT) WITH (kafka_topic='l', "
                   "partitions=1, value_format='JSON');")
    engine.execute("CREATE STREAM R (K STRING KEY, B INT) WITH (kafka_topic='r', "
                   "partitions=1, value_format='JSON');")
    engine.execute("CREATE STREAM J AS SELECT L.K AS K, A, B FROM L JOIN R "
                   "WITHIN 1 MINUTE ON L.K = R.K;")
    send(engine, "L", "x", {"A": 1}, headers=(("side", b"left"),), timestamp=1000)
    send(engine, "R", "x", {"B": 2}, headers=(("side", b"right"),), timestamp=2000)
    assert headers_of(engine, "J") == [(("side", b"right"),)]


def test_sink_timestamp_column_sets_the_time_and_drops_negative_ones(engine: Engine) -> None:
    engine.execute("CREATE STREAM S (K STRING KEY, WHEN_MS BIGINT) WITH (kafka_topic='s', "
                   "partitions=1, value_format='JSON');")
    engine.execute("CREATE STREAM T WITH (timestamp='WHEN_MS') AS SELECT K, WHEN_MS FROM S;")
    for key, at in (("a", 7000), ("b", -1), ("c", 9000)):
        send(engine, "S", key, {"WHEN_MS": at}, timestamp=1)
    assert [(k, ts) for k, _, ts in records(engine, "T")] == [(("a",), 7000), (("c",), 9000)]


def test_sink_timestamp_from_text_and_from_the_key(engine: Engine) -> None:
    engine.execute("CREATE STREAM S (K STRING KEY, SEEN STRING) WITH (kafka_topic='s', "
                   "partitions=1, value_format='JSON');")
    engine.execute("CREATE STREAM T WITH (timestamp='SEEN', timestamp_format='yyyy-MM-dd "
                   "HH:mm:ssX') AS SELECT K, SEEN FROM S;")
    engine.execute("CREATE STREAM N (ID BIGINT KEY, V STRING) WITH (kafka_topic='n', "
                   "partitions=1, value_format='JSON', key_format='JSON');")
    engine.execute("CREATE STREAM BY_KEY WITH (timestamp='ID') AS SELECT * FROM N;")
    send(engine, "S", "a", {"SEEN": "2021-03-04 05:06:07Z"}, timestamp=1)
    send(engine, "S", "b", {"SEEN": "yesterday"}, timestamp=1)
    engine.log.append("n", [Record(b'{"V": "x"}', b"4242", (), 1)])
    engine.run_until_idle()
    assert [(k, ts) for k, _, ts in records(engine, "T")] == [(("a",), 1614834367000)]
    assert [ts for _, _, ts in records(engine, "BY_KEY")] == [4242]


def test_where_reads_timestamp_text_next_to_rowtime(engine: Engine) -> None:
    engine.execute("CREATE STREAM S (K STRING KEY, N INT) WITH (kafka_topic='s', "
                   "partitions=1, value_format='JSON');")
    engine.execute("CREATE STREAM LATE AS SELECT K, N FROM S WHERE ROWTIME >= '2021-03' "
                   "AND ROWTIME BETWEEN '2021' AND '2021-03-02T01:00:00+0100';")
    for key, at in (("feb", 1614556799999), ("mar1", 1614556800000),
                    ("mar2", 1614643200000), ("mar2-late", 1614643200001)):
        send(engine, "S", key, {"N": 1}, timestamp=at)
    assert [k for k, _, _ in records(engine, "LATE")] == [("mar1",), ("mar2",)]


def test_where_refuses_text_next_to_rowtime_that_is_no_timestamp(engine: Engine) -> None:
    engine.execute("CREATE STREAM S (K STRING KEY, N INT) WITH (kafka_topic='s', "
                   "partitions=1, value_format='JSON');")
    with pytest.raises(StatementError, match="Failed to parse timestamp 'soon'"):
        engine.execute("CREATE STREAM X AS SELECT K, N FROM S WHERE ROWTIME > 'soon';")


def test_throw_on_invalid_stops_the_query_on_an_unreadable_timestamp(engine: Engine) -> None:
    engine.execute("CREATE STREAM S (K STRING KEY, SEEN STRING) WITH (kafka_topic='s', "
                   "partitions=1, value_format='JSON', timestamp='SEEN', "
                   "timestamp_format='yyyy-MM-dd');")
    engine.execute("CREATE STREAM LENIENT AS SELECT K, SEEN FROM S;")
    engine.execute("SET 'ksql.timestamp.throw.on.invalid' = 'true';")
    engine.execute("CREATE STREAM STRICT AS SELECT K, SEEN FROM S;")
    for key, seen in (("a", "2021-03-04"), ("b", "someday"), ("c", "2021-03-05")):
        send(engine, "S", key, {"SEEN": seen})
    # Without the setting the bad record is skipped; with it the query stops there.
    assert [k for k, _, _ in records(engine, "LENIENT")] == [("a",), ("c",)]
    assert [k for k, _, _ in records(engine, "STRICT")] == [("a",)]
    [listing] = engine.execute("SHOW QUERIES;")
    assert isinstance(listing, QueryList)
    # Both RUNNING, as in ksqlDB (a failed query is retried after a back-off)...
    assert {q.state for q in listing.queries} == {"RUNNING"}
    # ...but STRICT stopped on the record.
    stopped = {q.sinks[0] for q in listing.queries if engine.runtime.queries[q.id].failure}
    assert stopped == {"STRICT"}

"""A live step reads all its input partitions as of one moment.

The runtime merges the partitions it read by record time. Reading them one after the
other, a record appended to the partition read first (after that read) was missed while a
later record appended to the partition read next was taken: the later record went first.
Here another writer appends exactly then, to both topics of a stream-table join, and the
join must still see the two records in the order they were appended.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

from tote.core.records import LogRecord, Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.testing import produce, rows

STATEMENTS = """
SET 'auto.offset.reset' = 'earliest';
CREATE TABLE PRICES (RUNNER INT PRIMARY KEY, PRICE INT)
    WITH (kafka_topic='prices', partitions=1, value_format='JSON');
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT INT)
    WITH (kafka_topic='bets', partitions=1, value_format='JSON');
CREATE STREAM PRICED AS SELECT BETS.RUNNER AS RUNNER, AMOUNT, PRICE
    FROM BETS JOIN PRICES ON BETS.RUNNER = PRICES.RUNNER;
"""


class InterruptedLog(SqliteLog):
    """The real log, where `between` runs once, right after the first partition read."""

    between: Callable[[str], None] | None = None

    def read(self, tp: TopicPartition, offset: int, max_records: int = 1000
             ) -> list[LogRecord]:
        records = super().read(tp, offset, max_records)
        hook, self.between = self.between, None
        if hook is not None:
            hook(tp.topic)
        return records


def _record(value: dict[str, int], ts: int) -> Record:
    return Record(json.dumps(value).encode(), struct.pack(">i", 1), (), ts)


def test_records_appended_during_a_step_are_taken_in_append_order(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    with InterruptedLog(db) as log, Registry(log) as registry, SqliteLog(db) as other:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(STATEMENTS)
        produce(engine, "PRICES", [((1,), (100,))], timestamp=1_000)
        engine.run_until_idle()
        read_first: list[str] = []

        def append_to_both(topic: str) -> None:
            """Another process appends to the topic just read, then to the other."""
            read_first.append(topic)
            price, bet = ("prices", _record({"PRICE": 200}, 2_000)), \
                ("bets", _record({"AMOUNT": 5}, 2_000))
            for name, record in (price, bet) if topic == "prices" else (bet, price):
                other.append(name, [record._replace(timestamp=2_000 + len(read_first))])
                read_first.append(name)

        log.between = append_to_both
        engine.run_until_idle()
        engine.run_until_idle()  # (a live engine steps again as the log grows)
        engine.close()
        # The bet came after the new price when prices was read first, else before it.
        expected_price = 200 if read_first[0] == "prices" else 100
        assert rows(engine, "PRICED") == [(1, 5, expected_price)]


def test_a_partition_read_in_part_holds_back_later_records_of_the_others(
        tmp_path: Path) -> None:
    """A step reads at most `max_records` of a partition and takes at most as many in
    all: a record of another partition later than the part read waits for the rest of it
    (the bet at 30 comes before the price at 35, though the step that read the price read
    the bets only up to 20)."""
    with SqliteLog(tmp_path / "log.db") as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(STATEMENTS)
        produce(engine, "PRICES", [((1,), (100,))], timestamp=0)
        engine.run_until_idle()
        for ts in (10, 20, 30):
            produce(engine, "BETS", [((1,), (ts,))], timestamp=ts)
        produce(engine, "PRICES", [((1,), (200,))], timestamp=35)
        engine.run_until_idle(2)
        engine.close()
        assert rows(engine, "PRICED") == [(1, 10, 100), (1, 20, 100), (1, 30, 100)]

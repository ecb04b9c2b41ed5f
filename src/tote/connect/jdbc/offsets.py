"""The consumed offsets, kept in the target database beside the rows (exactly once).

One row per (connector, topic, partition) holds the next offset to consume. A put
writes its rows and moves these rows forward in ONE transaction, so after any crash the
database holds exactly the records before the stored offsets, and the task resumes from
there. Each move is a compare-and-set against the offset the task last read or wrote:
a zombie task (one that lost its partitions but has not noticed yet) finds the offset
moved, and its transaction is rolled back instead of writing duplicates. Since the whole
transaction rolls back, every partition of the put is reported moved (all are re-read).

Where the dialect can (PostgreSQL), moving offsets that already have a row is deferred
to the end of the transaction and sent in the same round trip as its COMMIT
(`Dialect.commit_offsets`): one round trip per put fewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from tote.connect.api import OffsetsMoved
from tote.connect.jdbc.dialect import Dialect, OffsetMove, OffsetsUpdate
from tote.core.records import TopicPartition


class OffsetStore:
    """The offsets table of one connector in one database."""

    def __init__(self, dialect: Dialect, table_name: str, connector: str) -> None:
        self.dialect = dialect
        self.connector = connector
        self.table = Table(table_name, MetaData(),
                           Column("connector", String(255), primary_key=True,
                                  autoincrement=False),
                           Column("topic", String(255), primary_key=True, autoincrement=False),
                           Column("kafka_partition", Integer, primary_key=True,
                                  autoincrement=False),
                           Column("next_offset", BigInteger, nullable=False))
        quote = dialect.sa.identifier_preparer.quote_identifier
        name, p = quote(table_name), dialect.placeholder
        self._table = name
        self._insert = (f"INSERT INTO {name} (connector, topic, kafka_partition, next_offset) "
                        f"VALUES ({p}, {p}, {p}, {p})")
        self._update = (f"UPDATE {name} SET next_offset = {p} WHERE connector = {p} AND "
                        f"topic = {p} AND kafka_partition = {p} AND next_offset = {p}")

    def ensure_table(self, conn: Connection) -> None:
        """Create the table unless it exists; another task creating it at the same moment
        is fine (the loser's CREATE fails, and the table is there)."""
        try:
            with conn.begin():
                self.table.create(conn, checkfirst=True)
        except SQLAlchemyError:
            with conn.begin():
                if not inspect(conn).has_table(self.table.name):
                    raise

    def load(self, conn: Connection) -> dict[TopicPartition, int]:
        """Every stored offset of this connector."""
        columns = self.table.c
        query = select(columns.topic, columns.kafka_partition, columns.next_offset).where(
            columns.connector == self.connector)
        with conn.begin():
            rows = conn.execute(query).all()
        return {TopicPartition(str(t), int(p)): int(o) for t, p, o in rows}

    def store(self, cursor: Any, integrity_error: type[BaseException],
              expected: Mapping[TopicPartition, int], offsets: Mapping[TopicPartition, int]
              ) -> None:
        """Move the offsets in the open transaction; OffsetsMoved if another writer did."""
        moved = False
        for tp, next_offset in offsets.items():
            before = expected.get(tp)
            if before is None:
                try:
                    cursor.execute(self._insert, (self.connector, tp.topic, tp.partition,
                                                  next_offset))
                except integrity_error:
                    raise OffsetsMoved(list(offsets)) from None
            elif before != next_offset:
                cursor.execute(self._update, (next_offset, self.connector, tp.topic,
                                              tp.partition, before))
                moved = moved or cursor.rowcount != 1
        if moved:
            raise OffsetsMoved(list(offsets))

    def deferred(self, expected: Mapping[TopicPartition, int],
                 offsets: Mapping[TopicPartition, int]) -> list[OffsetMove] | None:
        """The moves to send with the COMMIT, or None to `store` them now instead (the
        dialect cannot, or a partition has no row yet: its INSERT needs a check first)."""
        if not self.dialect.commits_offsets:
            return None
        moves: list[OffsetMove] = []
        for tp, next_offset in offsets.items():
            before = expected.get(tp)
            if before is None:
                return None
            if before != next_offset:
                moves.append(OffsetMove(tp.topic, tp.partition, before, next_offset))
        return moves

    def update(self, moves: Sequence[OffsetMove]) -> OffsetsUpdate:
        """The moves as a dialect sends them with a whole put (`Dialect.send_put`)."""
        return OffsetsUpdate(self._table, self.connector, moves)

    def store_and_commit(self, cursor: Any, moves: Sequence[OffsetMove],
                         partitions: Sequence[TopicPartition]) -> None:
        """Move the offsets and COMMIT in one round trip; OffsetsMoved (for `partitions`,
        all of the put's: the transaction is rolled back) if another writer moved one."""
        if not self.dialect.commit_offsets(cursor, self._table, self.connector, moves):
            raise OffsetsMoved(list(partitions))

    def alter(self, conn: Connection, offsets: Mapping[TopicPartition, int | None]) -> None:
        """Set (or with None, delete) offsets, outside any task (the connector is stopped)."""
        columns = self.table.c
        with conn.begin():
            for tp, offset in offsets.items():
                where = ((columns.connector == self.connector) & (columns.topic == tp.topic)
                         & (columns.kafka_partition == tp.partition))
                conn.execute(self.table.delete().where(where))
                if offset is not None:
                    conn.execute(self.table.insert().values(
                        connector=self.connector, topic=tp.topic, kafka_partition=tp.partition,
                        next_offset=offset))

    def reset(self, conn: Connection) -> None:
        """Forget every offset of this connector."""
        with conn.begin():
            conn.execute(self.table.delete().where(self.table.c.connector == self.connector))

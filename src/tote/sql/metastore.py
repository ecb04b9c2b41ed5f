"""The catalogue: streams, tables, custom types and the persistent queries linking them.

Statements never mutate a live MetaStore: the engine executes against `copy()` and
swaps it in only when the statement succeeded, so a failed statement leaves nothing
behind. Query records carry what DROP and TERMINATE need (which sources a query reads
and writes, and the logical plan a CREATE OR REPLACE is compared with); physical plans and
tasks live in the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tote.core.types import SqlType
from tote.sql.errors import StatementError
from tote.sql.planner.logical import SinkNode
from tote.sql.sources import DataSource


@dataclass(frozen=True, slots=True)
class QueryRecord:
    """A persistent query as the catalogue knows it."""

    id: str
    sql: str
    sink: str | None
    sources: tuple[str, ...]
    sink_topic: str | None = None
    state: str = "RUNNING"
    # Whether it is its sink's CREATE ... AS query (which DROP terminates), whatever its id:
    # a CREATE OR REPLACE taking over an INSERT query keeps the INSERTQUERY_ id.
    creates_sink: bool = False
    # The logical plan it runs, which a CREATE OR REPLACE must be able to take over.
    plan: SinkNode | None = field(default=None, compare=False)


@dataclass
class MetaStore:
    sources: dict[str, DataSource] = field(default_factory=dict)
    types: dict[str, SqlType] = field(default_factory=dict)
    queries: dict[str, QueryRecord] = field(default_factory=dict)
    # Running counter for query ids (CSAS_X_<n>): ksqlDB never reuses a number.
    next_query_number: int = 0

    def copy(self) -> MetaStore:
        return MetaStore(dict(self.sources), dict(self.types), dict(self.queries),
                         self.next_query_number)

    # -- sources ---------------------------------------------------------------------------

    def source(self, name: str) -> DataSource | None:
        return self.sources.get(name)

    def require(self, name: str, line: int | None = None, column: int | None = None
                ) -> DataSource:
        found = self.sources.get(name)
        if found is None:
            where = f"Line: {line}, Col: {column}: " if line else ""
            raise StatementError(f"{where}Source `{name}` does not exist.", line=line,
                                 column=column)
        return found

    def put_source(self, source: DataSource) -> None:
        self.sources[source.name] = source

    def drop_source(self, name: str) -> DataSource:
        return self.sources.pop(name)

    def all_sources(self) -> Iterator[DataSource]:
        return iter(sorted(self.sources.values(), key=lambda s: s.name))

    def sources_on_topic(self, topic: str) -> list[DataSource]:
        return [s for s in self.sources.values() if s.topic == topic]

    # -- queries ---------------------------------------------------------------------------

    def add_query(self, query: QueryRecord) -> None:
        self.queries[query.id] = query

    def remove_query(self, query_id: str) -> QueryRecord:
        return self.queries.pop(query_id)

    def readers_of(self, source: str) -> list[str]:
        """Ids of queries reading `source`, sorted."""
        return sorted(q.id for q in self.queries.values() if source in q.sources)

    def writers_of(self, source: str) -> list[str]:
        """Ids of queries writing into `source`, sorted."""
        return sorted(q.id for q in self.queries.values() if q.sink == source)

    def create_query_of(self, source: str) -> str | None:
        """The id of the CREATE ... AS SELECT query that made `source`, if one runs."""
        for qid in self.writers_of(source):
            if self.queries[qid].creates_sink:
                return qid
        return None

    def allocate_query_number(self) -> int:
        number = self.next_query_number
        self.next_query_number += 1
        return number

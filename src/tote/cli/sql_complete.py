"""Tab completion for the shell: keywords, streams, tables, their columns, functions.

The catalogue is fetched from the server (SHOW STREAMS / TABLES / FUNCTIONS, DESCRIBE)
when the shell starts and again after each statement that may change it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from tote.cli.sql_client import KsqlClient, ServerError, Unreachable

KEYWORDS = (
    "SELECT", "FROM", "WHERE", "GROUP BY", "PARTITION BY", "HAVING", "EMIT CHANGES",
    "EMIT FINAL", "LIMIT", "WINDOW", "TUMBLING", "HOPPING", "SESSION", "SIZE", "ADVANCE BY",
    "GRACE PERIOD", "JOIN", "LEFT JOIN", "INNER JOIN", "FULL OUTER JOIN", "ON", "WITHIN",
    "AS", "AND", "OR", "NOT", "NULL", "IS", "IN", "LIKE", "BETWEEN", "CASE", "WHEN", "THEN",
    "ELSE", "END", "CAST", "CREATE", "STREAM", "TABLE", "SOURCE", "OR REPLACE",
    "IF NOT EXISTS", "WITH", "INSERT INTO", "VALUES", "DROP", "DELETE TOPIC", "TERMINATE",
    "SHOW", "LIST", "STREAMS", "TABLES", "QUERIES", "TOPICS", "PROPERTIES", "FUNCTIONS",
    "TYPES", "VARIABLES", "DESCRIBE", "EXTENDED", "EXPLAIN", "PRINT", "FROM BEGINNING",
    "INTERVAL", "SET", "UNSET", "DEFINE", "UNDEFINE", "RUN SCRIPT", "KEY", "PRIMARY KEY",
    "KAFKA_TOPIC", "VALUE_FORMAT", "KEY_FORMAT", "PARTITIONS", "TIMESTAMP", "ROWTIME",
    "WINDOWSTART", "WINDOWEND", "INT", "INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "STRING",
    "VARCHAR", "BOOLEAN", "BYTES", "DATE", "TIME", "ARRAY", "MAP", "STRUCT", "EXIT", "QUIT",
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


class Catalogue:
    def __init__(self) -> None:
        self.sources: list[str] = []
        self.columns: list[str] = []
        self.functions: list[str] = []

    def refresh(self, client: KsqlClient) -> None:
        sources: list[str] = []
        columns: set[str] = set()
        try:
            for entity in client.ksql("SHOW STREAMS; SHOW TABLES;", {}, {}):
                for item in entity.get("streams", []) + entity.get("tables", []):
                    sources.append(item["name"])
            for name in sources:
                described = client.ksql(f"DESCRIBE `{name}`;", {}, {})
                for field in described[0]["sourceDescription"]["fields"]:
                    columns.add(field["name"])
        except (ServerError, Unreachable, KeyError, IndexError):
            pass
        try:
            listed = client.ksql("SHOW FUNCTIONS;", {}, {})
            self.functions = sorted(f["name"] for f in listed[0].get("functions", []))
        except (ServerError, Unreachable, KeyError, IndexError):
            pass
        self.sources = sorted(sources)
        self.columns = sorted(columns)

    def words(self) -> Iterable[str]:
        yield from KEYWORDS
        yield from self.sources
        yield from self.columns
        yield from self.functions


class SqlCompleter(Completer):
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def get_completions(self, document: Document, complete_event: CompleteEvent
                        ) -> Iterator[Completion]:
        match = _WORD.search(document.text_before_cursor)
        if match is None:
            return
        word = match.group(0)
        upper = word.upper()
        seen: set[str] = set()
        for candidate in self.catalogue.words():
            if candidate.upper().startswith(upper) and candidate not in seen:
                seen.add(candidate)
                yield Completion(candidate, start_position=-len(word))

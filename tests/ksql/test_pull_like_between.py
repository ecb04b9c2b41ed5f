"""LIKE and BETWEEN in a pull query's WHERE clause: the rows they keep and how mistakes
in them are reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tote.core.records import Record
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.transient import TransientQueries

NO_SCANS = {"ksql.query.pull.table.scan.enabled": "false"}


@pytest.fixture
def queries() -> Iterator[TransientQueries]:
    log = MemoryLog()
    with Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute("CREATE SOURCE TABLE pets (tag INT PRIMARY KEY, name STRING, age INT) "
                       "WITH (kafka_topic='pets', format='JSON', partitions=1);")
        pets = [(1, "rex", 4), (2, "rosie", 9), (3, "tom", 2)]
        log.append("pets", [Record(f'{{"NAME":"{n}","AGE":{a}}}'.encode(), str(t).encode(),
                                   (), 1, 0) for t, n, a in pets])
        yield TransientQueries(engine)
        engine.close()


def _rows(queries: TransientQueries, sql: str) -> list[tuple[object, ...]]:
    return sorted(r.columns for r in queries.start(sql).poll(1.0).rows)


def _refusal(queries: TransientQueries, sql: str, config: dict[str, str] | None = None
             ) -> str:
    with pytest.raises(StatementError) as error:
        queries.start(sql, config)
    return error.value.message


def test_like_and_between_filter_rows(queries: TransientQueries) -> None:
    assert _rows(queries, "SELECT tag FROM pets WHERE name LIKE 'r%';") == [(1,), (2,)]
    assert _rows(queries, "SELECT tag FROM pets WHERE age BETWEEN 3 AND 9;") == [(1,), (2,)]


def test_like_must_test_a_string_column_against_text(queries: TransientQueries) -> None:
    assert _refusal(queries, "SELECT * FROM pets WHERE tag LIKE 1;").startswith(
        "The column type for Like condition must be VARCHAR. The column type is INTEGER")
    assert _refusal(queries, "SELECT * FROM pets WHERE 'a' LIKE 'a';", NO_SCANS).startswith(
        "Like condition must be between strings")


def test_between_type_mismatch_is_an_invalid_expression(queries: TransientQueries) -> None:
    assert _refusal(queries, "SELECT * FROM pets WHERE name BETWEEN 1 AND 'z';").startswith(
        "Invalid expression: Cannot compare NAME (STRING) to 1 (INTEGER) with "
        "GREATER_THAN_OR_EQUAL")

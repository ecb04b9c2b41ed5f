"""Pull queries bounding the key (`<`, `<=`, `>`, `>=`): range scans, and what is refused
when `ksql.query.pull.table.scan.enabled` or `ksql.query.pull.range.scan.enabled` is off."""

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
NOTHING = {**NO_SCANS, "ksql.query.pull.range.scan.enabled": "false"}
NEEDS_SCAN = ("Query requires table scan to be enabled. Table scans can be enabled by "
              "setting ksql.query.pull.table.scan.enabled=true")


@pytest.fixture
def queries() -> Iterator[TransientQueries]:
    log = MemoryLog()
    with Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute("CREATE SOURCE TABLE fruit (name STRING PRIMARY KEY, qty INT) WITH "
                       "(kafka_topic='fruit', value_format='JSON', partitions=2);")
        engine.execute("CREATE SOURCE TABLE bins (bin INT PRIMARY KEY, label STRING) WITH "
                       "(kafka_topic='bins', format='JSON', partitions=1);")
        engine.execute("CREATE SOURCE TABLE shelf (aisle STRING PRIMARY KEY, "
                       "slot INT PRIMARY KEY, item STRING) WITH "
                       "(kafka_topic='shelf', key_format='JSON', value_format='JSON', "
                       "partitions=1);")
        fruit = [("apple", 3), ("banana", 5), ("cherry", 7), ("damson", 9)]
        log.append("fruit", [Record(f'{{"QTY":{q}}}'.encode(), n.encode(), (), 1, 0)
                             for n, q in fruit])
        log.append("bins", [Record(f'{{"LABEL":"b{b}"}}'.encode(), str(b).encode(), (), 1, 0)
                            for b in (1, 2, 3)])
        log.append("shelf", [Record(b'{"ITEM":"pen"}', b'{"AISLE":"a","SLOT":1}', (), 1, 0)])
        yield TransientQueries(engine)
        engine.close()


def _rows(queries: TransientQueries, sql: str,
          config: dict[str, str] | None = None) -> list[tuple[object, ...]]:
    return sorted(r.columns for r in queries.start(sql, config).poll(1.0).rows)


def _refusal(queries: TransientQueries, sql: str, config: dict[str, str]) -> str:
    with pytest.raises(StatementError) as error:
        queries.start(sql, config)
    return error.value.message


def test_bounds_on_a_string_key_need_no_table_scan(queries: TransientQueries) -> None:
    sql = "SELECT name, qty FROM fruit WHERE name {} 'banana';"
    assert _rows(queries, sql.format("<"), NO_SCANS) == [("apple", 3)]
    assert _rows(queries, sql.format("<="), NO_SCANS) == [("apple", 3), ("banana", 5)]
    assert _rows(queries, sql.format(">"), NO_SCANS) == [("cherry", 7), ("damson", 9)]
    assert _rows(queries, sql.format(">="), NO_SCANS) == [
        ("banana", 5), ("cherry", 7), ("damson", 9)]
    assert _rows(queries, "SELECT name FROM fruit WHERE 'cherry' < name AND qty > 0;",
                 NO_SCANS) == [("damson",)]


def test_what_still_needs_a_table_scan(queries: TransientQueries) -> None:
    assert _refusal(queries, "SELECT * FROM fruit WHERE name < 'c';", NOTHING) == NEEDS_SCAN
    assert _refusal(queries, "SELECT * FROM fruit WHERE name < 'b' OR name > 'c';",
                    NO_SCANS) == NEEDS_SCAN
    assert _refusal(queries, "SELECT * FROM bins WHERE bin >= 2;", NO_SCANS) == NEEDS_SCAN
    assert _rows(queries, "SELECT bin FROM bins WHERE bin >= 2;") == [(2,), (3,)]
    assert _rows(queries, "SELECT name FROM fruit WHERE name < 'b' OR name > 'c';") == [
        ("apple",), ("cherry",), ("damson",)]


def test_refusals_keep_naming_the_problem(queries: TransientQueries) -> None:
    assert _refusal(queries, "SELECT * FROM fruit WHERE name > 'a' AND name < 'c';",
                    NO_SCANS) == ("A comparison condition on the key column cannot be combined "
                                  "with other comparisons such as an IN predicate")
    assert _refusal(queries, "SELECT * FROM fruit WHERE name <> 'a';", NO_SCANS) == (
        "Bound on key columns '[`NAME` STRING KEY]' must currently be '='. ")
    assert _refusal(queries, "SELECT * FROM shelf WHERE aisle <= 'b';", NO_SCANS) == (
        "Multi-column sources must specify every key in the WHERE clause. Specified: "
        "[`AISLE`] Expected: [`AISLE` STRING KEY, `SLOT` INTEGER KEY]. ")
    assert _refusal(queries, "SELECT * FROM shelf WHERE aisle <= 'b' AND slot >= 1;",
                    NO_SCANS) == NEEDS_SCAN
    assert _rows(queries, "SELECT item FROM shelf WHERE aisle = 'a' AND slot = 1;",
                 NOTHING) == [("pen",)]

"""`tote.connect.jdbc.browse`: the database browser's read-only API, on real PostgreSQL
and SQLite databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import SQLAlchemyError
from tests.ui.conftest import Postgres

from tote.connect.jdbc.browse import (
    ColumnInfo,
    DatabaseBrowser,
    DatabaseUnavailable,
    TableInfo,
    UnknownTable,
    sqlalchemy_url,
)
from tote.connect.jdbc.browse_filters import BadFilter, RowQuery, UnknownColumn
from tote.connect.jdbc.browse_query import QueryFailed
from tote.connect.jdbc.browse_sql import WriteRefused
from tote.core.listen import free_port


@pytest.fixture(scope="module")
def pg(postgres: Postgres, database: str) -> Iterator[DatabaseBrowser]:
    with psycopg.connect(postgres.url(database), autocommit=True) as conn:
        conn.execute('CREATE TABLE bets ("RUNNER_ID" INTEGER, "RACE_ID" INTEGER, '
                     '"AMOUNT" DOUBLE PRECISION)')
        conn.execute("INSERT INTO bets VALUES (1, 0, 25), (2, 0, 50), (2, 0, NULL)")
        conn.execute("CREATE TABLE many (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")
        conn.execute("INSERT INTO many SELECT g, 'row ' || g FROM generate_series(1, 1234) g")
        conn.execute("CREATE SEQUENCE counter")
    browser = DatabaseBrowser(postgres.url(database))
    yield browser
    browser.close()


def test_tables_lists_columns_and_row_counts(pg: DatabaseBrowser) -> None:
    assert pg.tables() == [
        TableInfo("bets", (ColumnInfo("RUNNER_ID", "INTEGER", True, False),
                           ColumnInfo("RACE_ID", "INTEGER", True, False),
                           ColumnInfo("AMOUNT", "DOUBLE PRECISION", True, False)), 3),
        TableInfo("many", (ColumnInfo("id", "INTEGER", False, True),
                           ColumnInfo("label", "TEXT", False, False)), 1234),
    ]


def test_rows_are_paged_in_primary_key_order(pg: DatabaseBrowser) -> None:
    page = pg.rows("many", page=2, page_size=100)
    assert page.columns == ("id", "label")
    assert [r[0] for r in page.rows] == list(range(101, 201))
    assert (page.total, page.has_next, page.first_row) == (1234, True, 101)
    last = pg.rows("many", page=13, page_size=100)
    assert [r[0] for r in last.rows] == list(range(1201, 1235))
    assert last.has_next is False
    assert pg.rows("many", page=14, page_size=100).rows == ()


def test_rows_sort_and_filter(pg: DatabaseBrowser) -> None:
    page = pg.rows("many", RowQuery(sort="label", descending=True), page_size=3)
    assert page.rows == ((999, "row 999"), (998, "row 998"), (997, "row 997"))
    contains = pg.rows("many", RowQuery(filters={"label": "ROW 123"}), page_size=20)
    assert [r[0] for r in contains.rows] == [123, 1230, 1231, 1232, 1233, 1234]
    assert contains.total == 6
    compared = pg.rows("many", RowQuery(sort="id", filters={"id": ">=1232"}))
    assert [r[0] for r in compared.rows] == [1232, 1233, 1234]
    assert pg.rows("bets", RowQuery(filters={"AMOUNT": "NULL"})).rows == ((2, 0, None),)
    assert pg.rows("bets", RowQuery(filters={"AMOUNT": "!NULL", "RUNNER_ID": "!=1"})).rows \
        == ((2, 0, 50.0),)
    assert pg.rows("many", RowQuery(filters={"label": "100%"})).rows == ()


def test_rows_refuse_bad_names_and_values(pg: DatabaseBrowser) -> None:
    with pytest.raises(UnknownTable) as unknown:
        pg.rows("nope")
    assert unknown.value.message == "Table 'nope' does not exist (tables: bets, many)."
    with pytest.raises(UnknownColumn) as column:
        pg.rows("many", RowQuery(sort="id; DROP TABLE many"))
    assert column.value.message == "Table 'many' has no column 'id; DROP TABLE many'."
    with pytest.raises(BadFilter) as bad:
        pg.rows("many", RowQuery(filters={"id": ">ten"}))
    assert bad.value.message == "Filter on many.id: 'ten' is not a valid int value."


def test_query_pages_through_a_cursor(pg: DatabaseBrowser) -> None:
    page = pg.query("SELECT id, label FROM many ORDER BY id", page=3, page_size=10)
    assert page.columns == ("id", "label")
    assert [r[0] for r in page.rows] == list(range(21, 31))
    assert (page.has_next, page.total) == (True, None)
    # In the select list, not FROM: PostgreSQL materialises a FROM function's whole result
    # before the first row (seconds for 10^8 rows), whatever the client's cursor does.
    huge = pg.query("SELECT generate_series(1, 100000000) AS g", page_size=5)
    assert huge.rows == ((1,), (2,), (3,), (4,), (5,))
    assert huge.has_next is True


def test_query_passes_the_text_to_the_driver_untouched(pg: DatabaseBrowser) -> None:
    page = pg.query("SELECT '100%' AS p, ':name' AS q, 2::text AS r;")
    assert (page.columns, page.rows) == (("p", "q", "r"), (("100%", ":name", "2"),))
    shown = pg.query("SHOW default_transaction_read_only")
    assert shown.rows == (("on",),)


def test_query_errors_point_into_the_users_text(pg: DatabaseBrowser) -> None:
    with pytest.raises(QueryFailed) as missing:
        pg.query("SELECT *\nFROM nope")
    assert missing.value.message == ('relation "nope" does not exist\n'
                                     "LINE 2: FROM nope\n"
                                     "             ^")
    with pytest.raises(QueryFailed) as syntax:
        pg.query("SELECT 1 +")
    assert syntax.value.message == ("syntax error at end of input\n"
                                    "LINE 1: SELECT 1 +\n"
                                    "                  ^")


def test_writes_are_refused_before_and_by_the_database(pg: DatabaseBrowser) -> None:
    with pytest.raises(WriteRefused) as delete:
        pg.query("delete from bets")
    assert delete.value.message == ("The SQL box is read-only: DELETE statements are not run "
                                    "here. Use SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW, "
                                    "DESCRIBE.")
    with pytest.raises(WriteRefused) as cte:
        pg.query("WITH gone AS (DELETE FROM bets RETURNING *) SELECT * FROM gone")
    assert cte.value.message == ("The SQL box is read-only: this statement contains DELETE, "
                                 "which writes.")
    with pytest.raises(QueryFailed) as sequence:
        pg.query("SELECT nextval('counter')")
    assert sequence.value.message == "cannot execute nextval() in a read-only transaction"
    with pg.engine.connect() as conn, pytest.raises(SQLAlchemyError) as raw:
        conn.exec_driver_sql("DELETE FROM bets")
    assert "cannot execute DELETE in a read-only transaction" in str(raw.value)
    assert pg.table("bets").row_count == 3


def test_csv_streams_tables_and_queries(pg: DatabaseBrowser) -> None:
    table = "".join(pg.table_csv("bets", RowQuery(sort="AMOUNT")))
    assert table == "RUNNER_ID,RACE_ID,AMOUNT\n1,0,25.0\n2,0,50.0\n2,0,\n"
    chunks = list(pg.query_csv("SELECT id FROM many ORDER BY id"))
    assert len(chunks) == 3  # header with the first 500 rows, then 500, then 234
    assert "".join(chunks) == "id\n" + "".join(f"{i}\n" for i in range(1, 1235))
    with pytest.raises(WriteRefused):
        pg.query_csv("DROP TABLE many")


def test_an_unreachable_database_is_one_clear_error() -> None:
    port = free_port()
    browser = DatabaseBrowser(f"postgresql://postgres:secret@127.0.0.1:{port}/totebets")
    with pytest.raises(DatabaseUnavailable) as down:
        browser.tables()
    assert down.value.message.startswith(
        f"Cannot connect to the database postgresql+psycopg://postgres:***@127.0.0.1:{port}"
        "/totebets: ")
    assert "secret" not in down.value.message
    browser.close()


def test_sqlite_is_read_only_too(tmp_path: Path) -> None:
    path = tmp_path / "sink.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)")
        conn.execute("INSERT INTO t VALUES (1, x'00ff'), (2, NULL)")
    browser = DatabaseBrowser(f"jdbc:sqlite:{path}")
    assert browser.rows("t").rows == ((1, b"\x00\xff"), (2, None))
    assert "".join(browser.table_csv("t")) == "id,data\n1,00ff\n2,\n"
    with browser.engine.connect() as conn, pytest.raises(SQLAlchemyError) as raw:
        conn.exec_driver_sql("DELETE FROM t")
    assert "attempt to write a readonly database" in str(raw.value)
    browser.close()


def test_urls_follow_the_host_alias_table() -> None:
    url = sqlalchemy_url("jdbc:postgresql://db:5432/totebets?user=postgres&password=example",
                         {"db": "127.0.0.1:5433"})
    assert url.render_as_string(hide_password=False) == \
        "postgresql+psycopg://postgres:example@127.0.0.1:5433/totebets"
    plain = sqlalchemy_url("postgresql://postgres:example@db:5432/totebets", {"db": "h:1"})
    assert plain.render_as_string(hide_password=False) == \
        "postgresql+psycopg://postgres:example@h:1/totebets"
    assert sqlalchemy_url("mysql://root@127.0.0.1/test").drivername == "mysql+pymysql"

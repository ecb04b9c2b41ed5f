"""The SQL box's read-only check: one reading statement, no writing keyword outside
literals and comments."""

from __future__ import annotations

import pytest

from tote.connect.jdbc.browse_sql import (
    EmptyStatement,
    WriteRefused,
    check_read_only,
    first_word,
    split_statements,
)


def test_literals_comments_and_quoted_names_are_blanked() -> None:
    sql = ("SELECT 'a;DELETE' AS \"x;y\", $q$ DROP ; $q$ -- UPDATE;\n"
           "/* INSERT; */ FROM t; ")
    assert split_statements(sql) == ["SELECT  ?  AS  ? ,  ?   \n  FROM t"]
    assert split_statements("SELECT 'it''s; fine'") == ["SELECT  ? "]
    assert split_statements(";;  ;") == []


@pytest.mark.parametrize("sql", [
    "select * from t", "  WITH x AS (SELECT 1) SELECT * FROM x;", "VALUES (1)", "TABLE t",
    "EXPLAIN SELECT 1", "SHOW search_path", "SELECT 'delete from t'", "SELECT \"update\" FROM t",
    "SELECT 1; -- DROP TABLE t",
])
def test_reading_statements_pass(sql: str) -> None:
    assert check_read_only(sql) == sql.strip().rstrip(";").rstrip()


@pytest.mark.parametrize(("sql", "message"), [
    ("DELETE FROM t", "The SQL box is read-only: DELETE statements are not run here. Use "
                      "SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW, DESCRIBE."),
    ("pragma query_only = 0", "The SQL box is read-only: PRAGMA statements are not run here. "
                              "Use SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW, DESCRIBE."),
    ("SELECT * INTO copy FROM t", "The SQL box is read-only: this statement contains INTO, "
                                  "which writes."),
    ("SELECT * FROM t FOR UPDATE", "The SQL box is read-only: this statement contains "
                                   "UPDATE, which writes."),
    ("SELECT 1; SELECT 2", "Run one statement at a time (found 2)."),
    ("SELECT 1; DROP TABLE t", "Run one statement at a time (found 2)."),
    ("'oops'", "The SQL box is read-only: 'oops' statements are not run here. Use SELECT, "
               "WITH, VALUES, TABLE, EXPLAIN, SHOW, DESCRIBE."),
])
def test_anything_else_is_refused_with_a_reason(sql: str, message: str) -> None:
    with pytest.raises(WriteRefused) as refused:
        check_read_only(sql)
    assert refused.value.message == message
    assert refused.value.error_code == 40300


def test_an_empty_box_asks_for_a_statement() -> None:
    with pytest.raises(EmptyStatement) as empty:
        check_read_only("  -- nothing\n")
    assert empty.value.message == "Enter a SQL statement to run."


def test_first_word() -> None:
    assert first_word("/* hi */ with x as (select 1) select 1") == "WITH"
    assert first_word("") == ""

"""More statements ksqlDB refuses, with its wording: DROP of a missing source names the
kind the statement asked for (and suggests a differently-cased source of that kind), a
STRUCT constructor may not repeat a field, and the client-only RUN SCRIPT and test-runner
ASSERTs are the syntax errors ksqlDB's server grammar makes of them."""

from __future__ import annotations

import pytest

from tote.sql.engine import Engine
from tote.sql.errors import ParseFailure, StatementError
from tote.sql.testing import refused

PAGES = ("CREATE STREAM `pages` (K INT KEY, URL STRING) "
         "WITH (kafka_topic='pages', partitions=1, format='JSON');")


@pytest.mark.parametrize(("sql", "message"), [
    ("DROP STREAM NOPE;", "Stream NOPE does not exist."),
    ("DROP TABLE NOPE;", "Table NOPE does not exist."),
    ("DROP STREAM pages;", 'Stream PAGES does not exist.\nDid you mean "pages"? Hint: wrap '
                           "the source name in double quotes to make it case-sensitive."),
    # Only a source of the kind the statement drops is suggested.
    ("DROP TABLE pages;", "Table PAGES does not exist."),
])
def test_dropping_a_missing_source_names_its_kind(engine: Engine, sql: str,
                                                  message: str) -> None:
    engine.execute(PAGES)
    error = refused(engine, sql)
    assert isinstance(error, StatementError)
    assert error.message == message


def test_drop_if_exists_of_a_missing_source_still_succeeds(engine: Engine) -> None:
    engine.execute("DROP STREAM IF EXISTS NOPE;")


def test_a_struct_constructor_may_not_repeat_a_field(engine: Engine) -> None:
    engine.execute(PAGES)
    error = refused(engine, "CREATE STREAM S2 AS SELECT K, STRUCT(A := URL, B := K, A := K) "
                            "AS S FROM `pages`;")
    assert error.message.endswith(
        "Duplicate field names found in STRUCT: '`A` STRING' and '`A` INTEGER'")


@pytest.mark.parametrize(("sql", "message"), [
    ("RUN SCRIPT 'setup.sql';",
     "line 1:1: Syntax Error\nUnknown statement 'RUN'\nDid you mean 'PRINT'?"),
    ("ASSERT VALUES `pages` (K, URL) VALUES (1, 'a');",
     "line 1:8: Syntax Error\nSyntax error at or near 'VALUES' at line 1:8"),
    ("ASSERT NULL VALUES `pages` (K) KEY (1);",
     "line 1:8: Syntax Error\nSyntax error at or near 'NULL' at line 1:8"),
    ("ASSERT TABLE `pages` (K INT PRIMARY KEY);",
     "line 1:8: Syntax Error\nSyntax error at or near 'TABLE' at line 1:8"),
])
def test_client_only_statements_are_syntax_errors_on_the_server(engine: Engine, sql: str,
                                                               message: str) -> None:
    engine.execute(PAGES)
    error = refused(engine, sql)
    assert isinstance(error, ParseFailure)
    assert error.message == message


@pytest.mark.parametrize(("sql", "message"), [
    ("ASSERT VALUES `pages` (K INT) VALUES (1);",
     "line 1:8: Syntax Error\nSyntax error at or near 'VALUES' at line 1:8"),
    ("SHOW STREAMS;\n  ASSERT STREAM `pages` (K INT KEY) WITH (bad);",
     "line 2:10: Syntax Error\nSyntax error at or near 'STREAM' at line 2:10"),
])
def test_a_malformed_test_runner_assert_fails_where_ksqldb_gives_up(engine: Engine, sql: str,
                                                                    message: str) -> None:
    error = refused(engine, sql)
    assert error.message == message


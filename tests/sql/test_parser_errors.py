"""Syntax and parse-time errors: ksqlDB's wording, the offending token's position, highlight.

The expected syntax-error texts are the ones ksqlDB's own parser tests and CLI tests assert.
"""

from __future__ import annotations

import pytest

from tote.core.errors import SqlError, ToteError
from tote.sql import check_syntax, parse, parse_expression, parse_statement


def error_of(sql: str, *, strict: bool = False) -> SqlError:
    with pytest.raises(SqlError) as caught:
        parse(sql, require_semicolons=strict)
    return caught.value


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELLECT col0, col2, col3 FROM test1 WHERE col0 > 100;",
            "line 1:1: Syntax Error\nUnknown statement 'SELLECT'\nDid you mean 'SELECT'?",
        ),
        (
            "CRETE STREAM s1(id INT) WITH (kafka_topic='s1', value_format='JSON');",
            "line 1:1: Syntax Error\nUnknown statement 'CRETE'\nDid you mean 'CREATE'?",
        ),
        (
            "sho streams;",
            "line 1:1: Syntax Error\nUnknown statement 'sho'\nDid you mean 'SHOW'?",
        ),
        (
            "CREATE STREAM ORDERS (c1 VARCHAR, size INTEGER)\n"
            "  WITH (kafka_topic='ords', value_format='json');",
            'line 1:35: Syntax Error\n"size" is a reserved keyword and it can\'t be used as an '
            "identifier. You can use it as an identifier by escaping it as 'size' ",
        ),
        (
            "CREATE STREAM ORDERS (Load VARCHAR, size INTEGER)\n"
            "  WITH (kafka_topic='ords', value_format='json');",
            'line 1:23: Syntax Error\n"Load" is a reserved keyword and it can\'t be used as an '
            "identifier. You can use it as an identifier by escaping it as 'Load' ",
        ),
        (
            "SELECT * FROM artist WHERE first_name = 'Vincent' and "
            "(last_name = 'Monet' or last_name = 'Da Vinci'",
            "line 1:101: Syntax Error\nSyntax error at or near \";\"\n'}', ']', or ')' is missing",
        ),
        (
            "CREATE TABLE AS SELECT x, count(*) FROM TEST_TOPIC GROUP BY x;",
            "line 1:14: Syntax Error\nSyntax error at or near 'AS' at line 1:14",
        ),
        (
            "drop stream if exists s1;\ncreate stream if not exist s1(id int) with "
            "(kafka_topic='s1', value_format='json', partitions=1);",
            "line 2:22: Syntax Error\nSyntax error at or near 'exist' at line 2:22",
        ),
        (
            "SELECT TRANSFORM_ARRAY(X => X + 5, Col4) FROM TEST1;",
            "line 1:26: Syntax Error\nSyntax error at or near '=>' at line 1:26",
        ),
        (
            "CREATE STREAM INPUT (K STRING (KEY)) WITH (kafka_topic='input',value_format='JSON');",
            "line 1:32: Syntax Error\nExpecting {'STRING', INTEGER_VALUE}",
        ),
        (
            "CREATE STREAM INPUT (K VARCHAR(STRING) (KEY)) WITH (kafka_topic='input');",
            "line 1:40: Syntax Error\nExpecting {',', ')'}",
        ),
        (
            "CREATE STREAM X AS SELECT ID FROM T;\n"
            "CREATE TABLE O AS SELECT f1, COUNT(*) FROM TEST GROUP BY f3, (f2, f1);",
            "line 2:65: Syntax Error\nmissing ')' at ','",
        ),
        (
            "CREATE STREAM OUTPUT AS SELECT ID, cast(f0 as NULL) FROM TEST;",
            "line 1:47: Syntax Error\nSyntax error at or near 'NULL' at line 1:47",
        ),
        ("SELECT * FROM t GROUP x;", "line 1:23: Syntax Error\nmissing 'BY' at 'x'"),
        ("SELECT * FROM t WHERE a = 1 garbage;", "line 1:29: Syntax Error\nExpecting ';'"),
        ("SELECT * FROM t EMIT;", "line 1:21: Syntax Error\nExpecting {'CHANGES', 'FINAL'}"),
        ("SET 'a' 'b';", "line 1:9: Syntax Error\nmissing '=' at ''b''"),
        (
            "SELECT * FROM t WHERE a = = 1;",
            "line 1:27: Syntax Error\nSyntax error at or near '=' at line 1:27",
        ),
        ("SELECT # FROM t;", "line 1:8: Syntax Error\nSyntax error at or near '#' at line 1:8"),
        (
            "SELECT 'unterminated FROM t;",
            "line 1:8: Syntax Error\nSyntax error at or near ''' at line 1:8",
        ),
    ],
)
def test_syntax_errors_read_as_ksqldb_reports_them(sql: str, message: str) -> None:
    error = error_of(sql)

    assert error.message == message
    assert error.error_code == 40001
    assert error.http_status == 400


def test_syntax_error_fields_and_highlight() -> None:
    sql = "SHOW STREAMS;\nSELECT * FROM t\n  WHERE amount >> 2;"

    error = error_of(sql)

    assert isinstance(error, ToteError)
    assert error.message == "line 3:17: Syntax Error\nSyntax error at or near '>' at line 3:17"
    assert (error.line, error.column, error.span) == (3, 17, (46, 47))
    assert error.source == sql
    # As in ksqlDB, a syntax error's statement text is the line it is on.
    assert error.statement_text == "  WHERE amount >> 2;"
    assert error.detailed_message == error.message + "\nStatement:   WHERE amount >> 2;"
    assert error.highlight() == "  WHERE amount >> 2;\n                ^"


def test_highlight_underlines_the_whole_token() -> None:
    error = error_of("SELECT * FROM t WHERE a = 1 garbage;")

    assert error.highlight() == (
        "SELECT * FROM t WHERE a = 1 garbage;\n                            ^~~~~~~"
    )


def test_missing_semicolon_is_only_an_error_when_required() -> None:
    assert [s.text for s in parse("SHOW STREAMS; SHOW TABLES")] == ["SHOW STREAMS;", "SHOW TABLES"]

    error = error_of("SHOW STREAMS; SHOW TABLES", strict=True)

    assert error.message == "line 1:26: Syntax Error\nmissing ';' at '<EOF>'"


def test_statements_are_separated_by_semicolons() -> None:
    error = error_of("SHOW STREAMS SHOW TABLES;")

    assert error.message == "line 1:14: Syntax Error\nmissing ';' at 'SHOW'"


def test_parse_statement_wants_exactly_one() -> None:
    with pytest.raises(SqlError) as caught:
        parse_statement("SHOW STREAMS; SHOW TABLES;")

    assert caught.value.message == "Expected exactly one statement, found 2."
    assert (caught.value.line, caught.value.column) == (1, 15)


def test_expression_errors() -> None:
    with pytest.raises(SqlError) as caught:
        parse_expression("a +")

    assert (
        caught.value.message
        == "line 1:4: Syntax Error\nSyntax error at or near '<EOF>' at line 1:4"
    )


def test_check_syntax_reports_the_same_errors_without_building() -> None:
    sql = "SHOW STREAMS;\ncreate stream if not exist s1(id int);"

    with pytest.raises(SqlError) as caught:
        check_syntax(sql)

    assert caught.value.message == error_of(sql).message
    check_syntax("SELECT * FROM ${source} WHERE x = ${value};")


@pytest.mark.parametrize(
    ("sql", "message", "position"),
    [
        (
            "SELECT foo.a FROM t;",
            "Failed to prepare statement: 'FOO' is not a valid stream/table name or alias.",
            (1, 8),
        ),
        (
            "SELECT x.* FROM t AS y;",
            "Failed to prepare statement: 'X' is not a valid stream/table name or alias.",
            (1, 8),
        ),
        (
            "INSERT INTO s (a) VALUES (s.a);",
            "Failed to prepare statement: 'S' is not a valid stream/table name or alias.",
            (1, 27),
        ),
        (
            "CREATE STREAM s AS SELECT * FROM t LIMIT 1;",
            "Failed to prepare statement: CREATE STREAM AS SELECT statements don't support "
            "LIMIT clause.",
            (1, 20),
        ),
        (
            "CREATE TABLE s AS SELECT * FROM t LIMIT 1;",
            "Failed to prepare statement: CREATE TABLE AS SELECT statements don't support "
            "LIMIT clause.",
            (1, 19),
        ),
        (
            "CREATE STREAM `a.b` (x INT) WITH (kafka_topic='x');",
            "Illegal argument at Line: 1, Col: 15. Source names may only contain alphanumeric "
            "values, '_' or '-'.",
            (1, 15),
        ),
        (
            "SELECT * FROM t AS `x y`;",
            "Illegal argument at Line: 1, Col: 20. Source names may only contain alphanumeric "
            "values, '_' or '-'.",
            (1, 20),
        ),
        (
            "SELECT * FROM ${t};",
            "Illegal argument at Line: 1, Col: 15. Identifier names cannot start with '@' and "
            "may only contain alphanumeric values and '_'.",
            (1, 15),
        ),
        (
            "CREATE STREAM s (a INT) WITH (kafka_topic=${t});",
            "Illegal argument at Line: 1, Col: 43.",
            (1, 43),
        ),
        (
            "SELECT * FROM t LIMIT 1.5;",
            "Failed to prepare statement: Value must be integer for command: LIMIT",
            (1, 23),
        ),
        # ksqlDB's literal errors print the column one past the literal's own column.
        (
            "SELECT 99999999999999999999 FROM t;",
            "Failed to prepare statement: line 1:9: Invalid numeric literal: 99999999999999999999",
            (1, 8),
        ),
        (
            "SELECT 1E400 FROM t;",
            "Failed to prepare statement: line 1:9: Number overflows DOUBLE: 1E400",
            (1, 8),
        ),
        # A leading minus is part of the literal, in its text and its position.
        (
            "SELECT a,\n  -9223372036854775809 FROM t;",
            "Failed to prepare statement: line 2:4: Invalid numeric literal: -9223372036854775809",
            (2, 3),
        ),
        (
            "SELECT - 2E308 FROM t;",
            "Failed to prepare statement: line 1:9: Number overflows DOUBLE: -2E308",
            (1, 8),
        ),
        (
            "SELECT +9223372036854775808 FROM t;",
            "Failed to prepare statement: line 1:10: Invalid numeric literal: 9223372036854775808",
            (1, 9),
        ),
        (
            "SELECT CAST(a AS DECIMAL(0, 0)) FROM t;",
            "Failed to prepare statement: DECIMAL precision must be >= 1: DECIMAL(0,0)",
            (1, 18),
        ),
        (
            "SELECT CAST(a AS DECIMAL(2, 3)) FROM t;",
            "Failed to prepare statement: DECIMAL precision must be >= scale: DECIMAL(2,3)",
            (1, 18),
        ),
        (
            "CREATE STREAM s (h INT HEADER('k')) WITH (kafka_topic='x');",
            "Failed to prepare statement: Invalid type for HEADER('k') column: expected BYTES, "
            "got INTEGER",
            (1, 20),
        ),
        (
            "CREATE STREAM s (h BYTES HEADERS) WITH (kafka_topic='x');",
            "Failed to prepare statement: Invalid type for HEADERS column: expected "
            "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>, got BYTES",
            (1, 20),
        ),
        (
            "SELECT a LIKE 'x' ESCAPE 'ab' FROM t;",
            "Failed to prepare statement: Line: 1, Col: 26: Expected single character escape "
            "but got: ab",
            (1, 26),
        ),
        (
            "CREATE STREAM s (a INT) WITH (kafka_topic='a', kafka_topic='b');",
            "Failed to prepare statement: Multiple entries with same key: KAFKA_TOPIC='a' and "
            "KAFKA_TOPIC='b'",
            (1, 48),
        ),
        (
            "ASSERT SCHEMA TIMEOUT 1 SECOND;",
            "Failed to prepare statement: ASSERT SCHEMA statements much include a subject name "
            "or an id",
            (1, 1),
        ),
        ("ASSERT SCHEMA ID 'x';", "Failed to prepare statement: ID must be an integer", (1, 18)),
        (
            "SELECT foo '1' FROM t;",
            "Failed to prepare statement: Unknown type: FOO, location:Optional[Line: 1, Col: 8]",
            (1, 8),
        ),
        (
            "SELECT TRANSFORM(a, (x.y) => 1) FROM t;",
            "line 1:27: Syntax Error\nSyntax error at or near '=>' at line 1:27",
            (1, 27),
        ),
    ],
)
def test_errors_found_while_building_the_ast(
    sql: str, message: str, position: tuple[int, int]
) -> None:
    error = error_of(sql)

    assert error.message == message
    assert (error.line, error.column) == position
    assert error.source == sql
    assert error.statement_text == sql


def test_later_statements_fail_with_script_positions() -> None:
    error = error_of("SHOW STREAMS;\n\nSELECT bad.x\n  FROM t;\nSHOW TABLES;")

    assert (error.line, error.column, error.span) == (3, 8, (22, 27))
    assert error.statement_text == "SELECT bad.x\n  FROM t;"
    assert error.highlight() == "SELECT bad.x\n       ^~~~~"


def test_highlight_keeps_tabs_so_the_caret_lines_up() -> None:
    error = error_of("SELECT *\n\tFROM t WHERE;")

    assert error.highlight() == "\tFROM t WHERE;\n\t            ^"


def test_highlight_is_empty_without_a_position() -> None:
    assert SqlError("Something failed").highlight() == ""

"""Scripts: splitting, ${variable} substitution, DEFINE/UNDEFINE and RUN SCRIPT."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.core.errors import SqlError
from tote.sql.ast import (
    CreateStream,
    DefineVariable,
    ListStreams,
    Properties,
    Property,
    QueryStatement,
    UndefineVariable,
)
from tote.sql.ast.expressions import StringLiteral
from tote.sql.ast.queries import AliasedRelation
from tote.sql.script import (
    StatementText,
    Variables,
    run_script,
    split_statements,
    substitute,
)


def test_split_ignores_semicolons_in_strings_names_and_comments() -> None:
    sql = (
        "SET 'a' = 'x;y';\n"
        "-- comment; with semicolon\n"
        "SELECT `odd;name` FROM t /* ; */ ;\n"
        "  SHOW STREAMS"
    )

    assert split_statements(sql) == [
        StatementText("SET 'a' = 'x;y';", 1, 1, 0, 16),
        StatementText("SELECT `odd;name` FROM t /* ; */ ;", 3, 1, 44, 78),
        StatementText("SHOW STREAMS", 4, 3, 81, 93),
    ]
    assert split_statements("  -- only a comment\n") == []


def test_variables_ignore_case_and_keep_the_first_spelling() -> None:
    variables = Variables({"Pool": "win"})
    variables["POOL"] = "place"

    assert variables["pool"] == "place"
    assert list(variables) == ["Pool"]
    assert dict(variables) == {"Pool": "place"}
    del variables["pOOL"]
    assert len(variables) == 0


def test_substitute_identifiers_literals_and_strings() -> None:
    variables = {"src": "bets", "limit": "10", "who": "it's", "quoted": "'x'"}

    assert (
        substitute(
            "SELECT * FROM ${SRC} WHERE name = '${who}' AND q = '${quoted}' LIMIT ${limit};",
            variables,
        )
        == "SELECT * FROM bets WHERE name = 'it''s' AND q = ''x'' LIMIT 10;"
    )


def test_substitute_leaves_undefined_and_commented_references() -> None:
    sql = "SELECT ${x} FROM t -- ${src}\n WHERE a = '${y}';"

    assert substitute(sql, {"src": "bets"}) == sql


def test_define_applies_to_later_statements_of_the_same_script() -> None:
    variables = Variables()
    sql = (
        "DEFINE source = 'bets';\n"
        "DEFINE topic = '${source}_raw';\n"
        "CREATE STREAM ${source} (a INT) WITH (kafka_topic='${topic}');\n"
        "UNDEFINE source;\n"
        "SELECT * FROM t WHERE s = '${source}';"
    )

    items = list(run_script(sql, variables))

    assert [item.statement for item in items] == [
        DefineVariable("source", "bets"),
        DefineVariable("topic", "bets_raw"),
        CreateStream(
            "BETS",
            elements=items[2].statement.elements,  # type: ignore[attr-defined]
            properties=Properties((Property("KAFKA_TOPIC", StringLiteral("bets_raw")),)),
        ),
        UndefineVariable("source"),
        items[4].statement,
    ]
    assert items[2].statement.text == ("CREATE STREAM bets (a INT) WITH (kafka_topic='bets_raw');")
    assert items[2].original_text == (
        "CREATE STREAM ${source} (a INT) WITH (kafka_topic='${topic}');"
    )
    assert items[4].statement.text == "SELECT * FROM t WHERE s = '${source}';"
    assert dict(variables) == {"topic": "bets_raw"}
    assert [item.warning for item in items] == [None] * 5


def test_undefining_an_unknown_variable_warns() -> None:
    (item,) = list(run_script("UNDEFINE nothing;"))

    assert item.warning == "Cannot undefine variable 'nothing' which was never defined"


def test_a_syntax_error_anywhere_stops_the_whole_script() -> None:
    statements = run_script("SHOW STREAMS;\nSHOW STREAMS;\nSHOW STREEMS;")

    with pytest.raises(SqlError) as caught:
        next(statements)

    assert caught.value.message == (
        "line 3:6: Syntax Error\nSyntax error at or near 'STREEMS' at line 3:6"
    )


def test_an_undefined_variable_fails_its_statement() -> None:
    statements = run_script("SHOW STREAMS;\nSELECT * FROM ${missing};")

    assert next(statements).statement == ListStreams()
    with pytest.raises(SqlError) as caught:
        next(statements)
    assert caught.value.message == (
        "Illegal argument at Line: 1, Col: 15. Identifier names cannot start with '@' and "
        "may only contain alphanumeric values and '_'."
    )
    assert caught.value.source == "SELECT * FROM ${missing};"


def test_substitution_can_be_turned_off() -> None:
    statements = run_script("DEFINE s = 'x';\nSELECT * FROM ${s};", substitution=False)

    assert next(statements).statement == DefineVariable("s", "x")
    with pytest.raises(SqlError):
        next(statements)


def test_run_script_inlines_the_file(tmp_path: Path) -> None:
    inner = tmp_path / "inner.sql"
    inner.write_text("DEFINE src = 'bets';\nSELECT * FROM ${src};\n")
    variables = Variables()

    items = list(
        run_script(
            f"RUN SCRIPT '{inner}';\nSHOW STREAMS;",
            variables,
            read_file=lambda path: Path(path).read_text(),
        )
    )

    assert [item.statement for item in items] == [
        DefineVariable("src", "bets"),
        items[1].statement,
        ListStreams(),
    ]
    assert isinstance(items[1].statement, QueryStatement)
    assert items[1].statement.query.from_ == AliasedRelation("BETS", "BETS")
    assert variables["SRC"] == "bets"


def test_run_script_refuses_endless_recursion(tmp_path: Path) -> None:
    looping = tmp_path / "loop.sql"
    looping.write_text(f"RUN SCRIPT '{looping}';")

    with pytest.raises(SqlError) as caught:
        list(run_script(looping.read_text(), read_file=lambda path: Path(path).read_text()))

    assert caught.value.message == f"RUN SCRIPT nested more than 16 deep: {looping}"

"""Bad input to the SQL engine: a clear error, never a crash, and nothing left behind.

Hand-written nasty statements pin the bugs found by fuzzing; two bounded hypothesis
properties feed the engine mutated seed statements and random token soup, and check
that each statement either runs or fails with a ToteError whose message is not empty,
leaving the catalogue, the topics, the running queries and the registry as they were.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tote.core.clock import ManualClock
from tote.core.errors import SqlError, ToteError
from tote.core.records import Record, TopicPartition
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.seed.files import load_statements
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.lexer import EOF, tokenize
from tote.sql.script import run_script
from tote.sql.testing import catalogue, rows
from tote.sql.transient.queries import TransientQueries

BASE = (
    "CREATE STREAM PAGES (USER_ID INT KEY, PAGE STRING, MS BIGINT) "
    "WITH (kafka_topic='pages', partitions=1, value_format='JSON');"
    "CREATE STREAM S (K INT KEY, PAGE STRING, MS BIGINT, B BOOLEAN) "
    "WITH (kafka_topic='s', partitions=1, value_format='JSON');"
    "CREATE TABLE AGG AS SELECT USER_ID, COUNT(*) AS N FROM PAGES GROUP BY USER_ID;"
)
TOO_DEEP = "Expression is too deeply nested to compile."


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The shared memory engine (conftest) with BASE's sources and query."""
    engine.execute(BASE)
    return engine


def fails_cleanly(engine: Engine, sql: str) -> ToteError:
    """Run `sql`, which must fail with a non-empty message and change nothing."""
    before = catalogue(engine)
    with pytest.raises(ToteError) as caught:
        engine.execute(sql)
    assert caught.value.message.strip()
    assert catalogue(engine) == before
    return caught.value


# -- pathologically nested expressions: an error, not a RecursionError traceback ---------------

DEEP = {
    "sum of 5000 terms": "+".join(["MS"] * 5000),
    "3000 ANDs": " AND ".join(["B"] * 3000),
    "3000 NOTs": "NOT " * 3000 + "B",
    "1500 nested calls": "ABS(" * 1500 + "MS" + ")" * 1500,
    "1500 nested arrays": "ARRAY[" * 1500 + "1" + "]" * 1500,
}


@pytest.mark.parametrize("expr", DEEP.values(), ids=DEEP.keys())
def test_deeply_nested_select_expression_is_a_statement_error(engine: Engine,
                                                              expr: str) -> None:
    error = fails_cleanly(engine, f"CREATE STREAM X AS SELECT K, {expr} AS Z FROM S;")
    assert isinstance(error, StatementError)
    assert error.message == TOO_DEEP


def test_deeply_nested_where_and_explain_are_statement_errors(engine: Engine) -> None:
    deep = " AND ".join(["B"] * 3000)
    assert fails_cleanly(engine, f"CREATE STREAM X AS SELECT * FROM S WHERE {deep};"
                         ).message == TOO_DEEP
    assert fails_cleanly(engine, f"EXPLAIN CREATE STREAM X AS SELECT K, {DEEP['sum of 5000 terms']}"
                         " AS Z FROM S;").message == TOO_DEEP


def test_2000_nested_parentheses_still_work(engine: Engine) -> None:
    engine.execute("CREATE STREAM X AS SELECT K, " + "(" * 2000 + "MS" + ")" * 2000
                   + " AS Z FROM S;")
    engine.execute("INSERT INTO S (K, MS) VALUES (1, 7);")
    engine.run_until_idle()
    assert rows(engine, "X") == [(1, 7)]


def test_deeply_nested_push_and_pull_queries_are_statement_errors(engine: Engine) -> None:
    queries = TransientQueries(engine)
    for sql in ("SELECT K, " + DEEP["sum of 5000 terms"] + " AS Z FROM S EMIT CHANGES;",
                "SELECT * FROM AGG WHERE USER_ID = " + "+".join(["1"] * 3000) + ";"):
        with pytest.raises(StatementError, match=re.escape(TOO_DEEP)):
            queries.start(sql)


# -- lone surrogates (JSON's "\ud800" escape, CHR(55296)) -------------------------------------


def test_a_lone_surrogate_in_input_data_is_written_escaped_as_jackson_writes_it(
        engine: Engine) -> None:
    """UTF-8 cannot hold a lone surrogate, but JSON text can (as ksqlDB's Jackson writes
    it: `\uD800`), so the row goes through, not lost; a KAFKA-format STRING key is
    written as Kafka's StringSerializer writes it: '?'."""
    engine.execute("CREATE STREAM X AS SELECT K, UCASE(PAGE) AS U FROM S;"
                   "CREATE TABLE BY_PAGE AS SELECT PAGE, COUNT(*) AS N FROM S GROUP BY PAGE;")
    key = b"\x00\x00\x00\x01"
    engine.log.append("s", [Record(b'{"PAGE": "\\ud800x"}', key),
                            Record(b'{"PAGE": "ok"}', key)])
    engine.run_until_idle()
    assert rows(engine, "X") == [(1, "\ud800X"), (1, "OK")]
    [first, _] = engine.log.read(TopicPartition("X", 0), 0, 10)
    assert first.value == b'{"U":"\\uD800X"}'
    assert rows(engine, "BY_PAGE") == [("?x", 1), ("ok", 1)]
    assert engine.processing_log.errors == []


def test_insert_values_with_a_lone_surrogate_writes_it_escaped(engine: Engine) -> None:
    engine.execute("INSERT INTO S (K, PAGE) VALUES (1, '\ud800');")
    [record] = engine.log.read(TopicPartition("s", 0), 0, 10)
    assert record.value == b'{"PAGE":"\\uD800","MS":null,"B":null}'


@pytest.mark.parametrize("fmt", ["AVRO", "DELIMITED", "PROTOBUF"])
def test_a_lone_surrogate_bound_for_other_formats_is_written_as_java_writes_it(
        engine: Engine, fmt: str) -> None:
    """Java's UTF-8 encoders (Avro's Utf8, protobuf's, String.getBytes) write a lone
    surrogate as '?': so do ksqlDB's AVRO, PROTOBUF and DELIMITED serializers, and so
    does tote, for a query's rows and for INSERT VALUES; the row is not lost."""
    engine.execute(f"CREATE STREAM Y WITH (value_format='{fmt}') AS "
                   "SELECT K, PAGE, UCASE(PAGE) AS U FROM S;"
                   f"CREATE STREAM Z (K INT KEY, PAGE STRING) WITH (kafka_topic='z', "
                   f"partitions=1, value_format='{fmt}');")
    engine.log.append("s", [Record(b'{"PAGE": "\\ud800x"}', b"\x00\x00\x00\x01")])
    engine.run_until_idle()
    engine.execute("INSERT INTO Z (K, PAGE) VALUES (2, 'a\ud800');")
    assert rows(engine, "Y") == [(1, "?x", "?X")]
    assert rows(engine, "Z") == [(2, "a?")]
    assert engine.processing_log.errors == []


# -- WITH clause values ksqlDB refuses when the statement runs --------------------------------


@pytest.mark.parametrize(("props", "message"), [
    ("WINDOW_SIZE='5 SECONDS'", "'WINDOW_SIZE' should not be set for SESSION windows."),
    ("WINDOW_SIZE='nope'",
     "Configuration WINDOW_SIZE is invalid: Invalid duration: 'nope'. Expected 2 tokens, "
     "got: 1"),
    ("WINDOW_TYPE='SESSION', WINDOW_SIZE='nope'",
     "Configuration WINDOW_SIZE is invalid: Invalid duration: 'nope'. Expected 2 tokens, "
     "got: 1"),
    ("VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='toolong'",
     "Failed to prepare statement: Configuration VALUE_DELIMITER is invalid: Invalid "
     "delimiter value: 'toolong'. Delimiter must be a single character or TAB,SPACE\n"
     "Example valid value: ';'"),
    ("VALUE_FORMAT='DELIMITED', VALUE_DELIMITER=''",
     "Failed to prepare statement: Configuration VALUE_DELIMITER is invalid: Delimiter "
     "cannot be empty, if you meant to have a tab or space for delimiter, please use the "
     "special values 'TAB' or 'SPACE'\nExample valid value: ';'"),
    ("PARTITIONS=2147483648",
     "Invalid value 2147483648 for property PARTITIONS: Expected value to be a 32-bit "
     "integer, but it was a java.lang.Long"),
    ("PARTITIONS='99999999999'",
     "Invalid value 99999999999 for property PARTITIONS: Not a number of type INT"),
    ("REPLICAS=9999999999",
     "Invalid value 9999999999 for property REPLICAS: Expected value to be a 32-bit "
     "integer, but it was a java.lang.Long"),
])
def test_bad_with_properties_fail_the_create_and_create_no_topic(
        engine: Engine, props: str, message: str) -> None:
    props = props if "FORMAT" in props else props + ", VALUE_FORMAT='JSON'"
    props = props if "PARTITIONS" in props else props + ", PARTITIONS=1"
    error = fails_cleanly(engine, f"CREATE STREAM X (A INT) WITH (KAFKA_TOPIC='x', {props});")
    assert error.message == message
    assert not engine.log.topic_exists("x")


def test_a_bad_delimiter_on_a_create_as_select_is_refused(engine: Engine) -> None:
    error = fails_cleanly(engine, "CREATE STREAM X WITH (VALUE_FORMAT='DELIMITED', "
                          "VALUE_DELIMITER='ab') AS SELECT * FROM S;")
    assert "Invalid delimiter value: 'ab'." in error.message


def test_good_window_and_delimiter_properties_still_work(engine: Engine) -> None:
    engine.execute(
        "CREATE STREAM W (K INT KEY, A INT) WITH (KAFKA_TOPIC='w', PARTITIONS=1, "
        "VALUE_FORMAT='JSON', "
        "WINDOW_TYPE='TUMBLING', WINDOW_SIZE='5 SECONDS');"
        "CREATE STREAM D (A INT, B STRING) WITH (KAFKA_TOPIC='d', PARTITIONS=1, "
        "VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='TAB');"
        "INSERT INTO D (A, B) VALUES (1, 'q');")
    assert rows(engine, "D") == [(1, "q")]
    assert engine.log.read(TopicPartition("d", 0), 0)[0].value == b"1\tq"


# -- INSERT VALUES whose functions fail -------------------------------------------------------


@pytest.mark.parametrize("expr", ["REGEXP_EXTRACT('(', 'a')", "REGEXP_REPLACE('a', '[', 'b')"])
def test_insert_values_with_an_invalid_regex_is_a_statement_error(engine: Engine,
                                                                  expr: str) -> None:
    error = fails_cleanly(engine, f"INSERT INTO S (K, PAGE) VALUES (1, {expr});")
    assert error.message.startswith(
        f"Failed to insert values into 'S'. Failed to evaluate expression {expr}: ")


# -- failed DROP / CREATE OR REPLACE leave the running queries running ----------------------


def _visit(engine: Engine, user: int) -> None:
    engine.execute(f"INSERT INTO PAGES (USER_ID, PAGE, MS) VALUES ({user}, 'p', 1);")
    engine.run_until_idle()


@pytest.mark.parametrize("sql", ["DROP STREAM AGG;", "DROP STREAM AGG DELETE TOPIC;"])
def test_a_drop_of_the_wrong_type_leaves_the_tables_query_running(engine: Engine,
                                                                  sql: str) -> None:
    _visit(engine, 1)
    error = fails_cleanly(engine, sql)
    assert error.message == "Incompatible data source type is TABLE, but statement was " \
                            "DROP STREAM"
    _visit(engine, 1)
    assert rows(engine, "AGG") == [(1, 1), (1, 2)]  # still counting, state kept


def test_drop_delete_topic_refuses_a_topic_other_sources_use(engine: Engine) -> None:
    engine.execute("CREATE STREAM ALSO_PAGES (USER_ID INT KEY, PAGE STRING) "
                   "WITH (KAFKA_TOPIC='pages', VALUE_FORMAT='JSON');")
    error = fails_cleanly(engine, "DROP STREAM ALSO_PAGES DELETE TOPIC;")
    assert error.message == ("Refusing to delete topic. Found other data sources (PAGES) "
                             "using topic pages")
    _visit(engine, 1)
    assert rows(engine, "AGG") == [(1, 1)]


def test_a_failed_create_or_replace_leaves_the_old_query_running(engine: Engine) -> None:
    # Z is an INT, as the replacement's CASE is: the replacement passes ksqlDB's upgrade check.
    engine.execute("CREATE STREAM X AS SELECT K, CAST(MS AS INT) AS Z FROM S;")
    engine.execute("INSERT INTO S (K, MS) VALUES (1, 10);")
    engine.run_until_idle()
    case = "CASE " + " ".join(f"WHEN MS = {i} THEN {i}" for i in range(300)) + " END"
    error = fails_cleanly(engine, f"CREATE OR REPLACE STREAM X AS SELECT K, {case} AS Z "
                          "FROM S;")
    assert error.message == TOO_DEEP
    engine.execute("INSERT INTO S (K, MS) VALUES (2, 20);")
    engine.run_until_idle()
    assert rows(engine, "X") == [(1, 10), (2, 20)]


def test_a_failed_create_or_replace_of_an_aggregate_keeps_its_state(engine: Engine) -> None:
    _visit(engine, 1)
    case = "CASE " + " ".join(f"WHEN MS = {i} THEN {i}" for i in range(300)) + " END"
    fails_cleanly(engine, f"CREATE OR REPLACE TABLE AGG AS SELECT USER_ID, COUNT(*) AS N, "
                  f"SUM({case}) AS Q FROM PAGES GROUP BY USER_ID;")
    _visit(engine, 1)
    assert rows(engine, "AGG") == [(1, 1), (1, 2)]


# -- properties: mutated seed statements and random token soup --------------------------------

SEEDS = load_statements()
EXTRA = [
    "CREATE STREAM X AS SELECT K, MS * 2 AS D FROM S WHERE B EMIT CHANGES;",
    "CREATE TABLE T AS SELECT PAGE, COUNT(*) AS N, SUM(MS) AS M FROM S "
    "WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY PAGE HAVING COUNT(*) > 1;",
    "CREATE STREAM J AS SELECT P.USER_ID, P.PAGE, A.N FROM PAGES P "
    "JOIN AGG A ON P.USER_ID = A.USER_ID;",
    "INSERT INTO S (K, PAGE, MS, B) VALUES (1, 'a', 2, true);",
    "CREATE STREAM Y (A INT KEY, B DECIMAL(4, 2), C ARRAY<STRING>) "
    "WITH (KAFKA_TOPIC='y', PARTITIONS=2, VALUE_FORMAT='AVRO');",
    "CREATE TYPE ADDRESS AS STRUCT<STREET STRING, NUMBER INT>;",
    "DROP STREAM IF EXISTS X DELETE TOPIC;",
    "DESCRIBE AGG EXTENDED;",
]
CORPUS = SEEDS + EXTRA
_LITERALS = ["0", "-1", "2147483648", "9" * 25, "1.5", "1e999", "NULL", "TRUE", "''",
             "'abc'", "'${x}'", "'1 SECONDS'", "'AVRO'", "'DELIMITED'", "'x y'"]
_NAMES = ["S", "PAGES", "AGG", "NOPE", "K", "MS", "B", "PAGE", "USER_ID", "N", "ROWTIME",
          "WINDOWSTART", "`S`", "`a b`", '"x"', "X"]
_WORDS = ["(", ")", ",", ";", "*", "+", "-", "/", "=", "<>", "[", "]", "->", "=>", ":=",
          "'", "`", "${x}", "WINDOW", "TUMBLING", "HOPPING", "SESSION", "SIZE", "SECONDS",
          "WITHIN", "PRINT", "RUN", "SCRIPT", "TERMINATE", "ALL", "DEFINE", "UNSET", "STRUCT",
          "MAP", "ARRAY", "EXPLODE", "COUNT", "SUM", "LIMIT", "HAVING", "LEFT", "FULL",
          "OUTER", "DECIMAL", "INT", "STRING", "KEY", "PRIMARY", "DROP", "DELETE", "TOPIC"]
# Tokens by kind: a "replace" mostly swaps a token for one of its own kind, so that the
# mutated statement often still parses and its errors come from analysis.
_KINDS: dict[str, set[str]] = {}
for _sql in CORPUS:
    for _t in tokenize(_sql):
        if _t.type != EOF:
            _KINDS.setdefault(_t.type, set()).add(_t.text)
_KINDS.setdefault("IDENTIFIER", set()).update(_NAMES)
for _kind in ("INTEGER_VALUE", "STRING"):
    _KINDS.setdefault(_kind, set()).update(_LITERALS)
KINDS = {kind: sorted(texts) for kind, texts in _KINDS.items()}
VOCABULARY = sorted({t for texts in KINDS.values() for t in texts} | set(_WORDS))


@st.composite
def mutated_statements(draw: st.DrawFn) -> str:
    """A corpus statement with a token or two deleted, duplicated, swapped or replaced."""
    tokens = [(t.type, t.text) for t in tokenize(draw(st.sampled_from(CORPUS)))
              if t.type != EOF]
    for _ in range(draw(st.integers(1, 2))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["same kind"] * 4 + ["delete", "duplicate", "swap",
                                                       "replace", "truncate"]))
        if op == "same kind":
            kind = tokens[i][0]
            tokens[i] = (kind, draw(st.sampled_from(KINDS.get(kind, VOCABULARY))))
        elif op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "replace":
            tokens[i] = ("", draw(st.sampled_from(VOCABULARY)))
        else:
            tokens = tokens[:i]
    return " ".join(text for _, text in tokens)


_FRAMES = [("", ""), ("CREATE STREAM Q AS SELECT ", " FROM S;"),
           ("CREATE TABLE Q AS SELECT PAGE, ", " FROM S GROUP BY PAGE;"),
           ("CREATE STREAM Q AS SELECT * FROM S WHERE ", ";"),
           ("INSERT INTO S (K, PAGE) VALUES (1, ", ");"),
           ("CREATE STREAM Q (A INT) WITH (KAFKA_TOPIC='q', ", ");")]
token_soup = st.builds(lambda frame, words: frame[0] + " ".join(words) + frame[1],
                       st.sampled_from(_FRAMES),
                       st.lists(st.sampled_from(VOCABULARY), max_size=6))


def run_checked(engine: Engine, sql: str) -> None:
    """Run each statement of `sql` in turn: it runs, or it fails cleanly."""
    before = catalogue(engine)
    try:
        for item in run_script(sql, engine.session.variables):
            before = catalogue(engine)
            engine.execute_statement(item.statement, item.original_text)
    except ToteError as exc:
        assert exc.message.strip(), f"empty message for {sql!r}"
        assert catalogue(engine) == before, f"{sql!r} failed but left something behind"


@contextmanager
def fuzz_engine() -> Iterator[Engine]:
    log = MemoryLog(clock=ManualClock(1000))
    with Registry(log) as registry:
        eng = Engine(log, registry, clock=ManualClock(5000))
        eng.start()
        eng.execute(BASE + "".join(SEEDS[:2]))  # the seed's SET and its source stream
        yield eng
        eng.close()


FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def test_mutated_statements_run_or_fail_cleanly() -> None:
    with fuzz_engine() as engine:
        @FUZZ
        @given(mutated_statements())
        def check(sql: str) -> None:
            run_checked(engine, sql)

        check()


def test_random_token_soup_runs_or_fails_cleanly() -> None:
    with fuzz_engine() as engine:
        @FUZZ
        @given(token_soup)
        def check(sql: str) -> None:
            run_checked(engine, sql)

        check()


def test_the_corpus_itself_runs(engine: Engine) -> None:
    """The mutations start from statements that work, so their errors come from the
    mutation."""
    for sql in SEEDS + EXTRA:
        try:
            engine.execute(sql)
        except SqlError as exc:  # pragma: no cover - a broken corpus is the failure
            pytest.fail(f"{sql!r}: {exc.message}")

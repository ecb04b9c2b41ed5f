"""Every statement form parses to the exact AST, with ksqlDB's name and flag rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tote.core import types as t
from tote.sql import parse, parse_statement
from tote.sql.ast import (
    AlterOption,
    AlterSource,
    AlterSystemProperty,
    AssertSchema,
    AssertSource,
    AssertTombstone,
    AssertTopic,
    AssertValues,
    ColumnConstraint,
    ConnectorKind,
    ConnectorScope,
    CreateConnector,
    CreateStream,
    CreateStreamAsSelect,
    CreateTable,
    CreateTableAsSelect,
    DefineVariable,
    DescribeConnector,
    DescribeFunction,
    DescribeStreams,
    DescribeTables,
    DropConnector,
    DropStream,
    DropTable,
    DropType,
    Explain,
    InsertInto,
    InsertValues,
    ListConnectorPlugins,
    ListConnectors,
    ListFunctions,
    ListProperties,
    ListQueries,
    ListStreams,
    ListTables,
    ListTopics,
    ListTypes,
    ListVariables,
    PauseQuery,
    PrintTopic,
    Properties,
    Property,
    QueryStatement,
    RegisterType,
    ResumeQuery,
    RunScript,
    SetProperty,
    ShowColumns,
    SourceKind,
    Statement,
    TableElement,
    TerminateQuery,
    UndefineVariable,
    UnsetProperty,
)
from tote.sql.ast.expressions import (
    BooleanLiteral,
    ColumnRef,
    Comparison,
    ComparisonOp,
    DecimalLiteral,
    FunctionCall,
    IntegerLiteral,
    NullLiteral,
    StringLiteral,
    TimeUnit,
)
from tote.sql.ast.queries import (
    AliasedRelation,
    AllColumns,
    Duration,
    OutputRefinement,
    Query,
    SingleColumn,
)
from tote.sql.ast.types import BuiltinType, CustomType

STAR_FROM_T = (AllColumns(),)
T = AliasedRelation("T", "T")


def one(sql: str) -> Statement:
    statements = parse(sql)
    assert len(statements) == 1
    return statements[0]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SHOW STREAMS;", ListStreams()),
        ("list streams extended;", ListStreams(extended=True)),
        ("SHOW TABLES EXTENDED;", ListTables(extended=True)),
        ("SHOW QUERIES;", ListQueries()),
        ("SHOW TOPICS;", ListTopics()),
        ("SHOW ALL TOPICS EXTENDED;", ListTopics(all=True, extended=True)),
        ("SHOW PROPERTIES;", ListProperties()),
        ("SHOW FUNCTIONS;", ListFunctions()),
        ("SHOW TYPES;", ListTypes()),
        ("SHOW VARIABLES;", ListVariables()),
        ("SHOW CONNECTORS;", ListConnectors(ConnectorScope.ALL)),
        ("SHOW SINK CONNECTORS;", ListConnectors(ConnectorScope.SINK)),
        ("LIST SOURCE CONNECTORS;", ListConnectors(ConnectorScope.SOURCE)),
        ("SHOW CONNECTOR PLUGINS;", ListConnectorPlugins()),
        ("DESCRIBE bets;", ShowColumns("BETS")),
        ("DESCRIBE `Bets` EXTENDED;", ShowColumns("Bets", extended=True)),
        ("DESCRIBE STREAMS EXTENDED;", DescribeStreams(extended=True)),
        ("DESCRIBE TABLES;", DescribeTables()),
        ("DESCRIBE `TABLES`;", ShowColumns("TABLES")),
        ("DESCRIBE FUNCTION concat;", DescribeFunction("CONCAT")),
        ("DESCRIBE FUNCTION;", ShowColumns("FUNCTION")),
        ("DESCRIBE CONNECTOR jdbc_sink;", DescribeConnector("JDBC_SINK")),
        ("TERMINATE csas_odds_3;", TerminateQuery("CSAS_ODDS_3")),
        ("TERMINATE ALL;", TerminateQuery(None)),
        ("PAUSE ctas_pool_1;", PauseQuery("CTAS_POOL_1")),
        ("RESUME ALL;", ResumeQuery(None)),
        ("EXPLAIN CSAS_S_0;", Explain(query_id="CSAS_S_0")),
        ("SET 'auto.offset.reset' = 'earliest';", SetProperty("auto.offset.reset", "earliest")),
        ("ALTER SYSTEM 'ksql.x'='it''s';", AlterSystemProperty("ksql.x", "it's")),
        ("UNSET 'auto.offset.reset';", UnsetProperty("auto.offset.reset")),
        ("DEFINE pool = 'win';", DefineVariable("pool", "win")),
        ("DEFINE topic = 'x';", DefineVariable("topic", "x")),
        ("UNDEFINE Pool;", UndefineVariable("Pool")),
        ("RUN SCRIPT '/tmp/pools.sql';", RunScript("/tmp/pools.sql")),
        ("PRINT bets;", PrintTopic("bets")),
        (
            "PRINT 'Bets-Topic' FROM BEGINNING INTERVAL 2 LIMIT 10;",
            PrintTopic("Bets-Topic", from_beginning=True, interval=2, limit=10),
        ),
        ("PRINT `x` SAMPLE 3;", PrintTopic("x", interval=3)),
        ("DROP STREAM bets;", DropStream("BETS")),
        ("DROP TABLE IF EXISTS pool DELETE TOPIC;", DropTable("POOL", True, True)),
        ("DROP STREAM IF;", DropStream("IF")),
        ("DROP CONNECTOR IF EXISTS jdbc;", DropConnector("JDBC", True)),
        ("DROP TYPE IF EXISTS address;", DropType("ADDRESS", True)),
        ("DROP TYPE address;", DropType("ADDRESS")),
    ],
)
def test_simple_statements(sql: str, expected: Statement) -> None:
    assert one(sql) == expected


def test_create_stream_with_every_column_constraint() -> None:
    statement = one(
        "CREATE OR REPLACE SOURCE STREAM IF NOT EXISTS bets (id INT KEY, race BIGINT "
        "PRIMARY KEY, hs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, h BYTES "
        "HEADER('trace'), `Amount` DECIMAL(10, 2)) "
        "WITH (KAFKA_TOPIC='bets', partitions=4, 'Value_Format'='avro', x=TRUE, y=NULL, z=1.5);"
    )

    headers = t.array(t.struct(("KEY", t.STRING), ("VALUE", t.BYTES)))
    assert statement == CreateStream(
        "BETS",
        elements=(
            TableElement("ID", BuiltinType(t.INTEGER), ColumnConstraint.KEY),
            TableElement("RACE", BuiltinType(t.BIGINT), ColumnConstraint.PRIMARY_KEY),
            TableElement("HS", BuiltinType(headers), ColumnConstraint.HEADERS),
            TableElement("H", BuiltinType(t.BYTES), ColumnConstraint.HEADER, "trace"),
            TableElement("Amount", BuiltinType(t.decimal(10, 2))),
        ),
        properties=Properties(
            (
                Property("KAFKA_TOPIC", StringLiteral("bets")),
                Property("PARTITIONS", IntegerLiteral(4)),
                Property("Value_Format", StringLiteral("avro")),
                Property("X", BooleanLiteral(True)),
                Property("Y", NullLiteral()),
                Property("Z", DecimalLiteral(Decimal("1.5"))),
            )
        ),
        or_replace=True,
        if_not_exists=True,
        is_source=True,
    )


def test_properties_look_up_names_ignoring_case() -> None:
    statement = one("CREATE TABLE t (k INT PRIMARY KEY) WITH (kafka_topic='t', 'Key'='x');")

    assert isinstance(statement, CreateTable)
    assert statement.properties.get("Kafka_Topic") == StringLiteral("t")
    assert statement.properties.get("KEY") == StringLiteral("x")
    assert statement.properties.get("partitions") is None
    assert "kafka_topic" in statement.properties
    assert [p.name for p in statement.properties] == ["KAFKA_TOPIC", "Key"]


def test_create_source_table_without_columns() -> None:
    assert one("CREATE SOURCE TABLE t WITH (kafka_topic='t', format='json');") == CreateTable(
        "T",
        properties=Properties(
            (
                Property("KAFKA_TOPIC", StringLiteral("t")),
                Property("FORMAT", StringLiteral("json")),
            )
        ),
        is_source=True,
    )


def test_create_as_select_queries_are_persistent() -> None:
    statement = one("CREATE TABLE IF NOT EXISTS s WITH (partitions=2) AS SELECT * FROM t;")

    assert statement == CreateTableAsSelect(
        "S",
        Query(STAR_FROM_T, T, refinement=OutputRefinement.CHANGES, is_pull=False),
        properties=Properties((Property("PARTITIONS", IntegerLiteral(2)),)),
        if_not_exists=True,
    )


def test_create_or_replace_stream_as_select_keeps_emit_final() -> None:
    assert one("CREATE OR REPLACE STREAM s AS SELECT * FROM t EMIT FINAL;") == (
        CreateStreamAsSelect(
            "S",
            Query(STAR_FROM_T, T, refinement=OutputRefinement.FINAL, is_pull=False),
            or_replace=True,
        )
    )


def test_insert_into_select() -> None:
    assert one("INSERT INTO s WITH (QUERY_ID='q1') SELECT * FROM t;") == InsertInto(
        "S",
        Query(STAR_FROM_T, T, refinement=OutputRefinement.CHANGES, is_pull=False),
        Properties((Property("QUERY_ID", StringLiteral("q1")),)),
    )


def test_insert_values() -> None:
    assert one("INSERT INTO s (a, `b`, ROWTIME) VALUES (1, 'x', -2.50);") == InsertValues(
        "S",
        ("A", "b", "ROWTIME"),
        (IntegerLiteral(1), StringLiteral("x"), DecimalLiteral(Decimal("-2.50"))),
    )
    assert one("INSERT INTO s VALUES ();") == InsertValues("S", (), ())


def test_select_statements_are_push_or_pull_queries() -> None:
    push = one("SELECT * FROM t EMIT CHANGES LIMIT 3;")
    pull = one("SELECT * FROM t WHERE k = 1;")

    assert push == QueryStatement(
        Query(STAR_FROM_T, T, refinement=OutputRefinement.CHANGES, limit=3, is_pull=False)
    )
    assert pull == QueryStatement(
        Query(
            STAR_FROM_T,
            T,
            where=Comparison(ComparisonOp.EQUAL, ColumnRef("K"), IntegerLiteral(1)),
            is_pull=True,
        )
    )


def test_explain_statement_keeps_inner_text() -> None:
    statement = one("EXPLAIN SELECT * FROM t EMIT CHANGES;")

    assert statement == Explain(
        statement=QueryStatement(
            Query(STAR_FROM_T, T, refinement=OutputRefinement.CHANGES, is_pull=False)
        )
    )
    assert isinstance(statement, Explain) and statement.statement is not None
    assert statement.text == "EXPLAIN SELECT * FROM t EMIT CHANGES;"
    assert statement.statement.text == "SELECT * FROM t EMIT CHANGES"


def test_connectors() -> None:
    assert one(
        "CREATE SOURCE CONNECTOR IF NOT EXISTS src WITH ('connector.class'='Jdbc', x='y');"
    ) == CreateConnector(
        "SRC",
        ConnectorKind.SOURCE,
        Properties(
            (
                Property("connector.class", StringLiteral("Jdbc")),
                Property("X", StringLiteral("y")),
            )
        ),
        if_not_exists=True,
    )
    assert one("CREATE SINK CONNECTOR `Sink` WITH ('topics'='odds');") == CreateConnector(
        "Sink", ConnectorKind.SINK, Properties((Property("topics", StringLiteral("odds")),))
    )


def test_types_and_alter() -> None:
    assert one("CREATE TYPE ADDRESS AS STRUCT<street VARCHAR, `No` INT>;") == RegisterType(
        "ADDRESS", BuiltinType(t.struct(("STREET", t.STRING), ("No", t.INTEGER)))
    )
    assert one("CREATE TYPE IF NOT EXISTS home AS address;") == RegisterType(
        "HOME", CustomType("ADDRESS"), if_not_exists=True
    )
    assert one("ALTER TABLE pool ADD COLUMN c INT, ADD d home;") == AlterSource(
        "POOL",
        SourceKind.TABLE,
        (AlterOption("C", BuiltinType(t.INTEGER)), AlterOption("D", CustomType("HOME"))),
    )


def test_assert_statements() -> None:
    assert one("ASSERT TOPIC 'bets' WITH (partitions=1) TIMEOUT 3 SECONDS;") == AssertTopic(
        "bets",
        Properties((Property("PARTITIONS", IntegerLiteral(1)),)),
        Duration(3, TimeUnit.SECONDS),
    )
    assert one("ASSERT NOT EXISTS SCHEMA SUBJECT 'bets-value' ID 4;") == AssertSchema(
        "bets-value", 4, exists=False
    )
    assert one("ASSERT SCHEMA ID 7 TIMEOUT 1 MINUTE;") == AssertSchema(
        None, 7, Duration(1, TimeUnit.MINUTES)
    )
    assert one("ASSERT VALUES s (a, b) VALUES (1, 'x');") == AssertValues(
        "S", ("A", "B"), (IntegerLiteral(1), StringLiteral("x"))
    )
    assert one("ASSERT NULL VALUES s (k) KEY (1);") == AssertTombstone(
        "S", ("K",), (IntegerLiteral(1),)
    )
    assert one("ASSERT STREAM s (a INT) WITH (kafka_topic='s');") == AssertSource(
        CreateStream(
            "S",
            elements=(TableElement("A", BuiltinType(t.INTEGER)),),
            properties=Properties((Property("KAFKA_TOPIC", StringLiteral("s")),)),
        )
    )


def test_keywords_are_case_insensitive_and_comments_ignored() -> None:
    sql = "-- a comment\nselect /* inline\n comment */ count(*) from T --trailing\nemit changes;"

    assert parse(sql) == [
        QueryStatement(
            Query(
                (SingleColumn(FunctionCall("COUNT")),),
                T,
                refinement=OutputRefinement.CHANGES,
            )
        )
    ]


def test_script_text_and_spans() -> None:
    sql = "SHOW STREAMS;\n  -- next\n  DROP STREAM s;\nSHOW TABLES"

    statements = parse(sql)

    assert [s.text for s in statements] == ["SHOW STREAMS;", "DROP STREAM s;", "SHOW TABLES"]
    assert [(s.span.line, s.span.column, s.span.start, s.span.end) for s in statements] == [
        (1, 1, 0, 13),
        (3, 3, 26, 40),
        (4, 1, 41, 52),
    ]


def test_empty_script_and_parse_statement() -> None:
    assert parse("") == []
    assert parse("  -- nothing\n") == []
    assert parse_statement("SHOW STREAMS") == ListStreams()
    assert parse_statement("SHOW STREAMS;").text == "SHOW STREAMS;"

"""The proof of concept's SQL (../shared/seed) parses to exactly the trees the engine needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.core import types as t
from tote.sql import parse
from tote.sql.ast import (
    CreateStream,
    CreateStreamAsSelect,
    CreateTableAsSelect,
    InsertValues,
    Properties,
    Property,
    SetProperty,
    TableElement,
)
from tote.sql.ast.expressions import (
    ArithmeticBinary,
    ArithmeticOp,
    Cast,
    ColumnRef,
    Comparison,
    ComparisonOp,
    Expression,
    FunctionCall,
    IntegerLiteral,
    LogicalBinary,
    LogicalOp,
    SearchedCase,
    StringLiteral,
    WhenClause,
)
from tote.sql.ast.queries import (
    AliasedRelation,
    Join,
    JoinedSource,
    JoinType,
    OutputRefinement,
    Query,
    SingleColumn,
)
from tote.sql.ast.types import BuiltinType

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed"
pytestmark = pytest.mark.skipif(not SEED.is_dir(), reason="seed folder not available")


def col(name: str, source: str | None = None) -> ColumnRef:
    return ColumnRef(name, source)


def item(expression: Expression, alias: str | None = None) -> SingleColumn:
    return SingleColumn(expression, alias)


def source(name: str) -> AliasedRelation:
    return AliasedRelation(name, name)


def eq(left: Expression, right: Expression) -> Comparison:
    return Comparison(ComparisonOp.EQUAL, left, right)


BETS_PROPERTIES = Properties(
    (
        Property("KAFKA_TOPIC", StringLiteral("tote_win_bets")),
        Property("PARTITIONS", IntegerLiteral(1)),
        Property("VALUE_FORMAT", StringLiteral("avro")),
    )
)

CREATE_BETS = CreateStream(
    "TOTE_WIN_BETS",
    elements=(
        TableElement("RUNNER_ID", BuiltinType(t.INTEGER)),
        TableElement("RACE_ID", BuiltinType(t.INTEGER)),
        TableElement("AMOUNT", BuiltinType(t.DOUBLE)),
    ),
    properties=BETS_PROPERTIES,
)


def persistent(**parts: object) -> Query:
    return Query(refinement=OutputRefinement.CHANGES, is_pull=False, **parts)  # type: ignore[arg-type]


RUNNER_KEYED = CreateStreamAsSelect(
    "TOTE_WIN_BETS_RUNNER_KEYED",
    persistent(
        select=(
            item(col("RUNNER_ID", "TOTE_WIN_BETS"), "RUNNER_ID"),
            item(col("RACE_ID", "TOTE_WIN_BETS"), "RACE_ID"),
            item(col("AMOUNT")),
        ),
        from_=source("TOTE_WIN_BETS"),
        partition_by=(col("RUNNER_ID"),),
    ),
)

RACE_KEYED = CreateStreamAsSelect(
    "TOTE_WIN_BETS_RACE_KEYED",
    persistent(
        select=(
            item(col("RACE_ID", "TOTE_WIN_BETS"), "RACE_ID"),
            item(col("AMOUNT", "TOTE_WIN_BETS"), "AMOUNT"),
        ),
        from_=source("TOTE_WIN_BETS"),
        partition_by=(col("RACE_ID"),),
    ),
)

RUNNERS_POOL = CreateTableAsSelect(
    "TOTE_RUNNERS_POOL",
    persistent(
        select=(
            item(col("RUNNER_ID")),
            item(FunctionCall("SUM", (col("AMOUNT"),)), "RUNNER_POOL_AMOUNT"),
        ),
        from_=source("TOTE_WIN_BETS_RUNNER_KEYED"),
        group_by=(col("RUNNER_ID"),),
    ),
)

RACE_POOL = CreateTableAsSelect(
    "TOTE_RACE_POOL",
    persistent(
        select=(
            item(col("RACE_ID")),
            item(FunctionCall("SUM", (col("AMOUNT"),)), "RACE_POOL_AMOUNT"),
        ),
        from_=source("TOTE_WIN_BETS_RACE_KEYED"),
        group_by=(col("RACE_ID"),),
    ),
)

ODDS_JOIN = Join(
    source("TOTE_WIN_BETS"),
    (
        JoinedSource(
            source("TOTE_RUNNERS_POOL"),
            JoinType.INNER,
            eq(col("RUNNER_ID", "TOTE_WIN_BETS"), col("RUNNER_ID", "TOTE_RUNNERS_POOL")),
        ),
        JoinedSource(
            source("TOTE_RACE_POOL"),
            JoinType.INNER,
            eq(col("RACE_ID", "TOTE_WIN_BETS"), col("RACE_ID", "TOTE_RACE_POOL")),
        ),
    ),
)

ODDS_COLUMNS = (
    item(col("RACE_ID", "TOTE_RACE_POOL"), "RACE_ID"),
    item(col("RUNNER_ID", "TOTE_RUNNERS_POOL"), "RUNNER_ID"),
    item(col("RUNNER_POOL_AMOUNT", "TOTE_RUNNERS_POOL"), "RUNNER_POOL_AMOUNT"),
    item(col("RACE_POOL_AMOUNT", "TOTE_RACE_POOL"), "RACE_POOL_AMOUNT"),
)

RATIO = ArithmeticBinary(
    ArithmeticOp.DIVIDE,
    col("RACE_POOL_AMOUNT", "TOTE_RACE_POOL"),
    col("RUNNER_POOL_AMOUNT", "TOTE_RUNNERS_POOL"),
)


def test_registry_poc_statements() -> None:
    statements = parse((SEED / "poc-kafka-sql-registry" / "statements.sql").read_text())

    zero = Cast(IntegerLiteral(0), BuiltinType(t.DOUBLE))
    odds = SearchedCase(
        (
            WhenClause(
                LogicalBinary(
                    LogicalOp.AND,
                    eq(col("RACE_POOL_AMOUNT", "TOTE_RACE_POOL"), IntegerLiteral(0)),
                    eq(col("RUNNER_POOL_AMOUNT", "TOTE_RUNNERS_POOL"), IntegerLiteral(0)),
                ),
                zero,
            ),
            WhenClause(eq(col("RUNNER_POOL_AMOUNT", "TOTE_RUNNERS_POOL"), IntegerLiteral(0)), zero),
        ),
        RATIO,
    )
    assert statements == [
        SetProperty("auto.offset.reset", "earliest"),
        CREATE_BETS,
        RUNNER_KEYED,
        RACE_KEYED,
        RUNNERS_POOL,
        RACE_POOL,
        CreateStreamAsSelect(
            "TOTE_WIN_BET_RACE_RUNNERS_ODDS",
            persistent(select=(*ODDS_COLUMNS, item(odds, "ODDS")), from_=ODDS_JOIN),
            properties=Properties(
                (
                    Property("KAFKA_TOPIC", StringLiteral("tote_win_bet_race_runners_odds")),
                    Property("PARTITIONS", IntegerLiteral(1)),
                    Property("VALUE_FORMAT", StringLiteral("avro")),
                )
            ),
        ),
    ]
    assert statements[0].text == "SET 'auto.offset.reset' = 'earliest';"
    assert statements[1].text == (
        "CREATE STREAM tote_win_bets (runner_id INT, race_id INT, amount DOUBLE)\n"
        "    WITH (kafka_topic='tote_win_bets', partitions=1, value_format = 'avro');"
    )
    assert statements[4].text == (
        "CREATE TABLE tote_runners_pool \n"
        "    AS SELECT runner_id, SUM(amount) as runner_pool_amount \n"
        "    FROM tote_win_bets_runner_keyed GROUP BY runner_id\n"
        "    EMIT CHANGES;"
    )
    assert (statements[4].span.line, statements[4].span.column) == (21, 1)


def test_totes_pool_poc_statements() -> None:
    statements = parse((SEED / "poc-kafka-totes-pool" / "statements.sql").read_text())

    assert statements == [
        SetProperty("auto.offset.reset", "earliest"),
        CREATE_BETS,
        RUNNER_KEYED,
        RACE_KEYED,
        RUNNERS_POOL,
        RACE_POOL,
        CreateStreamAsSelect(
            "TOTE_WIN_BET_RACE_RUNNERS_ODDS",
            persistent(select=(*ODDS_COLUMNS, item(RATIO, "ODDS")), from_=ODDS_JOIN),
        ),
    ]


def test_bet_inserts() -> None:
    statements = parse((SEED / "poc-kafka-sql-registry" / "bets-inserts.sql").read_text())

    rows = [(1, 0, 25), (1, 0, 50), (1, 0, 50), (2, 0, 5), (2, 0, 10), (2, 0, 20)]
    rows += [(2, 0, -20), (2, 0, 0), (1, 0, 0)]
    assert statements == [
        InsertValues(
            "TOTE_WIN_BETS",
            ("RUNNER_ID", "RACE_ID", "AMOUNT"),
            tuple(IntegerLiteral(v) for v in row),
        )
        for row in rows
    ]
    assert [s.text for s in statements][6] == (
        "INSERT INTO tote_win_bets (runner_id, race_id, amount) VALUES (2, 0, -20);"
    )

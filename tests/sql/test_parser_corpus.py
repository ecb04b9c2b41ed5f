"""ksqlDB's own functional test cases (../shared/qtt) as a parser corpus.

Every statement of every positive case must parse. Negative cases that ksqlDB rejects with
a parse error must raise SqlError with ksqlDB's message; for the other negative cases, the
statements before the failing one must parse, and if the parser already rejects the last
one it must be with ksqlDB's message. Files are read at test time, never copied.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tote.core.errors import SqlError
from tote.sql import check_syntax, parse

QTT = Path(__file__).resolve().parents[2].parent / "shared" / "qtt"
pytestmark = pytest.mark.skipif(not QTT.is_dir(), reason="QTT fixtures not available")

PARSE_FAILED = "io.confluent.ksql.parser.exception.ParseFailedException"


@dataclass(frozen=True)
class Case:
    id: str
    statements: list[str]
    error: dict[str, Any] | None

    @property
    def is_parse_error(self) -> bool:
        if self.error is None:
            return False
        message = str(self.error.get("message", ""))
        return self.error.get("type") == PARSE_FAILED or "Syntax Error" in message


def cases() -> Iterator[Case]:
    """The expanded cases of the DEV set: one per format, `{FORMAT}` substituted (§4)."""
    files = sorted((QTT / "dev").glob("*.json")) + sorted((QTT / "rest-dev").glob("*.json"))
    for path in files:
        document = json.loads(path.read_text(), parse_float=decimal.Decimal)
        for case in document["tests"]:
            if case.get("enabled") is False:
                continue
            error = case.get("expectedException") or case.get("expectedError")
            for fmt in case.get("format") or [None]:
                statements = [s.replace("{FORMAT}", fmt) if fmt else s for s in case["statements"]]
                name = f"{path.stem} - {case['name']}" + (f" - {fmt}" if fmt else "")
                yield Case(name, statements, error)


def test_every_statement_of_positive_cases_parses() -> None:
    failures: list[str] = []
    parsed = 0
    for case in cases():
        if case.error is not None:
            continue
        for statement in case.statements:
            try:
                parse(statement)
                parsed += 1
            except SqlError as error:
                failures.append(f"{case.id}: {statement!r}: {error.message}")
    assert failures == []
    assert parsed == 1814  # the DEV snapshot's positive-case statements, formats expanded


def test_positive_case_scripts_pass_the_syntax_check() -> None:
    failures = []
    for case in cases():
        if case.error is None:
            try:
                check_syntax("\n".join(case.statements))
            except SqlError as error:
                failures.append(f"{case.id}: {error.message}")
    assert failures == []


def test_parse_error_cases_fail_with_ksqldb_messages() -> None:
    """The script is one text, as the harness runs it, so line numbers match."""
    checked = 0
    wrong: list[str] = []
    for case in cases():
        if not case.is_parse_error:
            continue
        assert case.error is not None
        with pytest.raises(SqlError) as caught:
            parse("\n".join(case.statements))
        expected = str(case.error.get("message", ""))
        if expected not in caught.value.detailed_message:
            wrong.append(f"{case.id}: {caught.value.detailed_message!r} lacks {expected!r}")
        checked += 1
    assert wrong == []
    assert checked == 16


def test_other_negative_cases_fail_only_where_ksqldb_does() -> None:
    wrong: list[str] = []
    for case in cases():
        if case.error is None or case.is_parse_error:
            continue
        *before, last = case.statements
        for statement in before:
            try:
                parse(statement)
            except SqlError as error:
                wrong.append(f"{case.id}: {statement!r}: {error.message}")
        try:
            parse(last)
        except SqlError as error:
            expected = str(case.error.get("message", ""))
            if expected not in error.detailed_message:
                wrong.append(f"{case.id}: {error.message!r} is not {expected!r}")
    assert wrong == []

"""ksqlDB's REST QTT cases (../shared/qtt/README.md §9): loading and expansion.

A REST case is a QTT case plus the HTTP responses it expects (`responses`: `admin`
entities, then one `query` message list per query) or the error it expects
(`expectedError`: `type`, `message`, `status`). Expansion over `format` / `config` is
the same as for QTT files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tote.sql.qtt.loader import QttCase, expand, load_document


@dataclass(frozen=True)
class RestCase:
    qtt: QttCase
    responses: tuple[dict[str, Any], ...] = ()
    expected_error: dict[str, Any] | None = None
    input_conditions: dict[str, Any] = field(default_factory=dict)
    output_conditions: dict[str, Any] = field(default_factory=dict)
    # testPullWithProtoFormat: queries are asked again in protobuf (`queryProto`).
    proto: bool = False

    @property
    def id(self) -> str:
        return self.qtt.id

    def split(self) -> tuple[list[str], list[str]]:
        """(admin statements, queries): everything from the first SELECT on is a query."""
        statements = list(self.qtt.statements)
        for index, text in enumerate(statements):
            if text.lstrip().upper().startswith("SELECT "):
                return statements[:index], statements[index:]
        return statements, []


def expand_rest(path: Path) -> Iterator[RestCase]:
    raws = {raw["name"]: raw for raw in load_document(path).get("tests", [])}
    for case in expand(path):
        raw = raws.get(case.name, {})
        yield RestCase(case, tuple(raw.get("responses") or ()), raw.get("expectedError"),
                       dict(raw.get("inputConditions") or {}),
                       dict(raw.get("outputConditions") or {}),
                       bool(raw.get("testPullWithProtoFormat")))

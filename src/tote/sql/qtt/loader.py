"""Loading ksqlDB QTT files (README §2-§4): exact decimals, expansion into cases.

Numbers with a fraction are `Decimal`s (scale kept: `10.0000` is not `10.0`); integers
stay `int`. A case expands into one case per `format` entry times one per `config`
value, named as upstream names them: `<file> - <name>[ - <FORMAT>][ - <prop>=<value>]`.
"""

from __future__ import annotations

import decimal
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tote.core.errors import ToteError

_COMMENTS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.S)


@dataclass(frozen=True)
class QttCase:
    id: str
    file: str
    name: str
    statements: tuple[str, ...]
    inputs: tuple[dict[str, Any], ...] = ()
    outputs: tuple[dict[str, Any], ...] = ()
    expected_exception: dict[str, Any] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    topics: tuple[dict[str, Any], ...] = ()
    post: dict[str, Any] | None = None
    format: str | None = None
    config: str | None = None


def _strip_comments(text: str) -> str:
    return _COMMENTS.sub(lambda m: m.group(1) or "", text)


class QttFileError(ToteError):
    """A QTT file cannot be read or is not in QTT's shape: one clear line, not a traceback."""

    error_code = 40000


def load_document(path: Path) -> dict[str, Any]:
    """The parsed file, checked to be `{"tests": [{"name": ..., "statements": [...]}, ...]}`."""
    try:
        text = _strip_comments(path.read_text(encoding="utf-8"))
        document = json.loads(text, parse_float=decimal.Decimal)
    except OSError as exc:
        raise QttFileError(f"{path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise QttFileError(f"{path}: invalid JSON: {exc}") from None
    if not (isinstance(document, dict) and isinstance(document.get("tests", []), list)):
        raise QttFileError(f"{path}: expected an object with an array field 'tests'")
    for index, raw in enumerate(document.get("tests", [])):
        if not (isinstance(raw, dict) and isinstance(raw.get("name"), str)
                and isinstance(raw.get("statements"), list)):
            raise QttFileError(
                f"{path}: tests[{index}] needs a string 'name' and an array 'statements'")
    return document


def expand(path: Path) -> Iterator[QttCase]:
    """The executable cases of one file, disabled ones left out."""
    stem = path.stem
    for raw in load_document(path).get("tests", []):
        if raw.get("enabled") is False:
            continue
        formats: list[str | None] = list(raw.get("format") or [None])
        configs: list[Any] = list(raw.get("config") or [None])
        for fmt in formats:
            for config in configs:
                yield _case(stem, raw, fmt, config)


def _case(stem: str, raw: dict[str, Any], fmt: str | None, config: Any) -> QttCase:
    statements = [s.replace("{FORMAT}", fmt) if fmt else s for s in raw["statements"]]
    properties = dict(raw.get("properties") or {})
    config_name = None
    config_text = None
    if config is not None:
        config_text = str(config).lower() if isinstance(config, bool) else str(config)
        for key, value in properties.items():
            if isinstance(value, str) and value.upper() == "{CONFIG}":
                properties[key] = config_text
                config_name = key
    name = f"{stem} - {raw['name']}"
    if fmt:
        name += f" - {fmt}"
    if config_name is not None:
        name += f" - {config_name}={config_text}"
    topics = []
    for raw_topic in raw.get("topics") or []:
        topic = dict(raw_topic)
        for side in ("keyFormat", "valueFormat"):
            if fmt and topic.get(side) == "{FORMAT}":
                topic[side] = fmt
        topics.append(topic)
    return QttCase(
        id=name, file=stem, name=raw["name"], statements=tuple(statements),
        inputs=tuple(raw.get("inputs") or ()), outputs=tuple(raw.get("outputs") or ()),
        expected_exception=raw.get("expectedException"), properties=properties,
        topics=tuple(topics), post=raw.get("post"), format=fmt, config=config_text)

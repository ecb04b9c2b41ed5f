"""Post-conditions (README §7): the catalogue's sources and the topics after the run.

Internal topic names (repartition, changelog) are Kafka Streams' own and tote's differ,
so expectations on them are skipped; the blacklist and every user-visible topic are
checked fully.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tote.core.errors import SqlError
from tote.registry import RegistryError
from tote.sql.ast.statements import ColumnConstraint, CreateSource
from tote.sql.codecs.schemas import subject
from tote.sql.parser import parse_statement
from tote.sql.qtt.environment import Environment
from tote.sql.sources import ColumnRole, DataSource, FormatInfo


class PostFailure(Exception):
    pass


def check(env: Environment, post: dict[str, Any]) -> None:
    for expected in post.get("sources", []) or []:
        _source(env, expected)
    topics = post.get("topics") or {}
    blacklist = topics.get("blacklist")
    if blacklist:
        pattern = re.compile(blacklist)
        for name in env.log.list_topics():
            if pattern.search(name):
                raise PostFailure(f"blacklisted topic exists: {name}")
    for expected in topics.get("topics", []) or []:
        _topic(env, expected)


def _schema(text: str) -> list[tuple[str, str, ColumnRole]]:
    statement = parse_statement(f"CREATE STREAM X ({text}) WITH (kafka_topic='x', "
                                "value_format='JSON');")
    assert isinstance(statement, CreateSource)
    out = []
    for element in statement.elements:
        sql = str(element.type.resolve(lambda name: None))
        if element.constraint in (ColumnConstraint.KEY, ColumnConstraint.PRIMARY_KEY):
            role = ColumnRole.KEY
        elif element.constraint in (ColumnConstraint.HEADERS, ColumnConstraint.HEADER):
            role = ColumnRole.HEADER
        else:
            role = ColumnRole.VALUE
        out.append((element.name, sql, role))
    return out


def _source(env: Environment, expected: dict[str, Any]) -> None:
    name = expected["name"]
    source = env.engine.metastore.source(name)
    if source is None:
        raise PostFailure(f"source {name} does not exist")
    if "type" in expected and expected["type"].upper() != source.type.value:
        raise PostFailure(f"source {name} is a {source.type.value}")
    if "schema" in expected:
        try:
            wanted = _schema(expected["schema"])
        except SqlError as exc:
            raise PostFailure(f"cannot parse expected schema: {exc.message}") from None
        actual = [(c.name, str(c.type), c.role) for c in source.columns]
        if wanted != actual:
            raise PostFailure(f"schema of {name} is {source.schema_text()}")
    if "keyFormat" in expected:
        _key_format(source, expected["keyFormat"])
    if "valueFormat" in expected and expected["valueFormat"] != source.value_format.name:
        raise PostFailure(f"value format of {name} is {source.value_format.name}")
    for side, info in (("keyFeatures", source.key_format), ("valueFeatures",
                                                           source.value_format)):
        if side in expected:
            actual_features = sorted(f.value for f in info.features)
            if sorted(expected[side]) != actual_features:
                raise PostFailure(f"{side} of {name} are {actual_features}")
    if "isSource" in expected and bool(expected["isSource"]) != source.is_source:
        raise PostFailure(f"isSource of {name} is {source.is_source}")


def _key_format(source: DataSource, expected: dict[str, Any]) -> None:
    info = source.key_format
    if "format" in expected and expected["format"] != info.name:
        raise PostFailure(f"key format of {source.name} is {info.name}")
    window = source.window
    wtype = window.type.value if window else None
    if expected.get("windowType") != wtype:
        raise PostFailure(f"window type of {source.name} is {wtype}")
    size = window.size_ms if window else None
    if expected.get("windowSize") != size:
        raise PostFailure(f"window size of {source.name} is {size}")


def _format_object(info: FormatInfo, window_type: str | None, window_size: int | None
                   ) -> dict[str, Any]:
    out: dict[str, Any] = {"format": info.name}
    props = dict(info.properties)
    if props:
        out["properties"] = props
    if info.features:
        out["features"] = sorted(f.value for f in info.features)
    if window_type is not None:
        out["windowInfo"] = {"type": window_type}
        if window_size is not None:
            out["windowInfo"]["size"] = window_size / 1000.0
    return out


def _normal(expected: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in expected.items() if v not in (None, {}, [])}
    window = out.get("windowInfo")
    if isinstance(window, dict) and "size" in window:
        window = dict(window)
        window["size"] = float(window["size"])
        out["windowInfo"] = window
    return out


def _topic(env: Environment, expected: dict[str, Any]) -> None:
    name = expected["name"]
    if name.startswith("_confluent-ksql-"):
        return
    if not env.log.topic_exists(name):
        raise PostFailure(f"topic {name} does not exist")
    if "partitions" in expected:
        actual = env.log.describe_topic(name).spec.partitions
        if actual != expected["partitions"]:
            raise PostFailure(f"topic {name} has {actual} partitions")
    source = next((s for s in env.engine.metastore.sources.values() if s.topic == name), None)
    if source is not None:
        wtype = source.window.type.value if source.window else None
        wsize = source.window.size_ms if source.window else None
        for side, info in (("keyFormat", source.key_format),
                           ("valueFormat", source.value_format)):
            if side in expected:
                actual_obj = _format_object(info, wtype if side == "keyFormat" else None,
                                            wsize if side == "keyFormat" else None)
                if _normal(expected[side]) != actual_obj:
                    raise PostFailure(f"{side} of topic {name} is {actual_obj}")
    for side, is_key in (("keySchema", True), ("valueSchema", False)):
        if side in expected and expected[side] is not None:
            try:
                version = env.registry.get_version(subject(name, is_key))
            except RegistryError:
                raise PostFailure(f"no {side} registered for {name}") from None
            actual_schema = _parse(version.schema)
            if actual_schema != _parse(expected[side]):
                raise PostFailure(f"{side} of {name} is {version.schema}")


def _parse(schema: Any) -> Any:
    if isinstance(schema, str):
        try:
            return json.loads(schema)
        except json.JSONDecodeError:
            return schema
    return json.loads(json.dumps(schema, default=str))

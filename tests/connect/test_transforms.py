"""Connect's SMTs and predicates, record by record, against Connect's documented behaviour:
schema'd (Struct) and schemaless (map) records, config errors, and what each drops."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.connect import smt_records

from tote.connect.data import (
    TIMESTAMP,
    Schema,
    SinkRecord,
    Struct,
    Type,
    logical_schema,
    primitive,
    struct_schema,
)
from tote.connect.errors import ConfigException, DataException
from tote.connect.transforms.base import PREDICATES, TRANSFORMS, Predicate, Transformation
from tote.connect.transforms.chain import apply_chain, build_stages

T = "org.apache.kafka.connect.transforms."
P = "org.apache.kafka.connect.transforms.predicates."
STR, INT = primitive(Type.STRING), primitive(Type.INT32)
VALUE = struct_schema("io.bets.Bet", [("id", INT), ("runner", STR),
                                      ("amount", primitive(Type.FLOAT64))], version=3)
TS = 1_700_000_000_123


def record(value_schema: Schema | None, value: Any, *, key_schema: Schema | None = None,
           key: Any = None, topic: str = "bets", headers: Any = ()) -> SinkRecord:
    return smt_records.record(value_schema, value, key_schema, key, topic=topic, partition=2,
                              offset=41, timestamp=TS, headers=headers)


def bet(**values: Any) -> Struct:
    return Struct(VALUE, {"id": 7, "runner": "Red Rum", "amount": 2.5, **values})


def smt(kind: str, **props: str) -> Transformation:
    return smt_records.configure(TRANSFORMS[T + kind], props)


def predicate(kind: str, **props: str) -> Predicate:
    cls = PREDICATES[P + kind]
    return cls(cls.config_def.parse(props))


def test_transforms_and_predicates_are_registered() -> None:
    from tote.connect.transforms import catalog  # noqa: F401 - registers them all

    for name in ("ValueToKey", "ExtractField$Key", "ExtractField$Value", "ReplaceField$Key",
                 "ReplaceField$Value", "InsertField$Key", "InsertField$Value", "RegexRouter",
                 "Filter"):
        assert T + name in TRANSFORMS
    for name in ("TopicNameMatches", "RecordIsTombstone", "HasHeaderKey"):
        assert P + name in PREDICATES


# -- ValueToKey ---------------------------------------------------------------------------


def test_value_to_key_with_schema() -> None:
    done = smt("ValueToKey", fields="runner,id").apply(record(VALUE, bet()))
    assert done is not None and done.key_schema is not None
    assert done.key_schema.name is None and not done.key_schema.optional
    assert [(f.name, f.schema) for f in done.key_schema.fields] == [("runner", STR), ("id", INT)]
    assert done.key == Struct(done.key_schema, {"runner": "Red Rum", "id": 7})
    assert (done.value_schema, done.value) == (VALUE, bet())
    again = smt("ValueToKey", fields="runner,id")
    first, second = (again.apply(record(VALUE, bet(id=i))) for i in (1, 2))
    assert first is not None and second is not None
    assert first.key_schema is second.key_schema  # one key schema per value schema


def test_value_to_key_schemaless_and_errors() -> None:
    done = smt("ValueToKey", fields="a,missing").apply(record(None, {"a": 1, "b": 2}))
    assert done is not None
    assert (done.key_schema, done.key) == (None, {"a": 1, "missing": None})
    with pytest.raises(DataException, match=r"^Field does not exist: nope$"):
        smt("ValueToKey", fields="nope").apply(record(VALUE, bet()))
    with pytest.raises(DataException, match=r"^Only Struct objects supported for \[copying "
                       r"fields from value to key\], found: java.lang.String$"):
        smt("ValueToKey", fields="id").apply(record(VALUE, "text"))
    with pytest.raises(DataException, match=r"^Only Map objects supported in absence of "
                       r"schema for \[copying fields from value to key\], found: null$"):
        smt("ValueToKey", fields="id").apply(record(None, None))


def test_value_to_key_reads_defaults_unless_told_not_to() -> None:
    schema = struct_schema("S", [("id", primitive(Type.INT32, optional=True, default=5))])
    value = Struct(schema, {"id": None})
    with_default = smt("ValueToKey", fields="id").apply(record(schema, value))
    without = smt("ValueToKey", fields="id", **{"replace.null.with.default": "false"}
                  ).apply(record(schema, value))
    assert with_default is not None and without is not None
    assert (with_default.key.get("id"), without.key.get("id")) == (5, None)


# -- ExtractField -------------------------------------------------------------------------


def test_extract_field_key_and_value() -> None:
    key_schema = struct_schema(None, [("id", INT)])
    keyed = record(VALUE, bet(), key_schema=key_schema, key=Struct(key_schema, {"id": 7}))
    done = smt("ExtractField$Key", field="id").apply(keyed)
    assert done is not None and (done.key_schema, done.key) == (INT, 7)
    value = smt("ExtractField$Value", field="runner").apply(record(VALUE, bet()))
    assert value is not None and (value.value_schema, value.value) == (STR, "Red Rum")
    schemaless = smt("ExtractField$Value", field="a").apply(record(None, {"a": [1]}))
    assert schemaless is not None and (schemaless.value_schema, schemaless.value) == (None, [1])


def test_extract_field_passes_nulls_and_refuses_unknown_fields() -> None:
    tomb = smt("ExtractField$Value", field="runner").apply(record(VALUE, None))
    assert tomb is not None and (tomb.value_schema, tomb.value) == (STR, None)
    missing = smt("ExtractField$Value", field="a").apply(record(None, {"b": 1}))
    assert missing is not None and missing.value is None
    with pytest.raises(ValueError, match=r"^Unknown field: nope$"):
        smt("ExtractField$Value", field="nope").apply(record(VALUE, bet()))
    with pytest.raises(DataException, match=r"^Only Map objects supported in absence of "
                       r"schema for \[field extraction\], found: java.lang.Long$"):
        smt("ExtractField$Key", field="a").apply(record(None, None, key=12))


# -- ReplaceField -------------------------------------------------------------------------


def test_replace_field_include_exclude_renames_with_schema() -> None:
    done = smt("ReplaceField$Value", include="id,runner,amount", exclude="amount",
               renames="runner:horse,id:bet_id").apply(record(VALUE, bet()))
    assert done is not None and done.value_schema is not None
    assert (done.value_schema.name, done.value_schema.version) == ("io.bets.Bet", 3)
    assert [f.name for f in done.value_schema.fields] == ["bet_id", "horse"]
    assert dict(done.value.values) == {"bet_id": 7, "horse": "Red Rum"}


def test_replace_field_schemaless_and_the_old_names() -> None:
    done = smt("ReplaceField$Value", blacklist="b", renames="a:x").apply(
        record(None, {"a": 1, "b": 2, "c": 3}))
    assert done is not None and done.value == {"x": 1, "c": 3}
    kept = smt("ReplaceField$Key", whitelist="a").apply(
        record(None, None, key={"a": 1, "b": 2}))
    assert kept is not None and kept.key == {"a": 1}
    assert smt("ReplaceField$Value", exclude="a").apply(record(None, None)) is not None


def test_replace_field_rename_mappings_are_checked() -> None:
    cls = TRANSFORMS[T + "ReplaceField$Value"]
    with pytest.raises(ConfigException) as bad:
        cls.config_def.parse({"renames": "a:b,c"})
    assert bad.value.message == ("Invalid value [a:b, c] for configuration renames: Invalid "
                                 "rename mapping: c")


# -- InsertField --------------------------------------------------------------------------


def test_insert_field_with_schema() -> None:
    done = smt("InsertField$Value", **{
        "topic.field": "t!", "partition.field": "p", "offset.field": "o?",
        "timestamp.field": "ts", "static.field": "src", "static.value": "tote"}
    ).apply(record(VALUE, bet()))
    assert done is not None and done.value_schema is not None
    schema = done.value_schema
    assert [(f.name, f.schema) for f in schema.fields][3:] == [
        ("t", STR), ("p", primitive(Type.INT32, optional=True)),
        ("o", primitive(Type.INT64, optional=True)),
        ("ts", logical_schema(TIMESTAMP, optional=True)),
        ("src", primitive(Type.STRING, optional=True))]
    assert dict(done.value.values) == {
        "id": 7, "runner": "Red Rum", "amount": 2.5, "t": "bets", "p": 2, "o": 41,
        "ts": datetime.datetime(2023, 11, 14, 22, 13, 20, 123000, datetime.UTC),
        "src": "tote"}


def test_insert_field_schemaless_and_config_errors() -> None:
    done = smt("InsertField$Key", **{"offset.field": "o", "timestamp.field": "ts"}).apply(
        record(None, None, key={"k": 1}))
    assert done is not None and done.key == {"k": 1, "o": 41, "ts": TS}
    with pytest.raises(ConfigException, match=r"^No field insertion configured$"):
        smt("InsertField$Value")
    with pytest.raises(ConfigException, match=r"^Invalid value null for configuration "
                       r"static.value: No value specified for static field: s$"):
        smt("InsertField$Value", **{"static.field": "s"})


# -- RegexRouter, Filter, predicates --------------------------------------------------------


def test_regex_router_renames_whole_matches_only() -> None:
    router = smt("RegexRouter", regex="(.*)-(?<env>prod|dev)", replacement="$1_${env}_x")
    moved = router.apply(record(VALUE, bet(), topic="bets-prod"))
    assert moved is not None and moved.topic == "bets_prod_x"
    assert moved.raw.topic == "bets-prod"  # the dead letter queue still gets the original
    same = router.apply(record(VALUE, bet(), topic="bets-prod2"))
    assert same is not None and same.topic == "bets-prod2"
    escaped = smt("RegexRouter", regex="b(.*)", replacement=r"\$$1").apply(record(VALUE, bet()))
    assert escaped is not None and escaped.topic == "$ets"


def test_filter_with_predicates() -> None:
    assert smt("Filter").apply(record(VALUE, bet())) is None
    assert predicate("RecordIsTombstone").test(record(VALUE, None))
    assert not predicate("RecordIsTombstone").test(record(VALUE, bet()))
    assert predicate("TopicNameMatches", pattern="bet.*").test(record(VALUE, bet()))
    assert not predicate("TopicNameMatches", pattern="bet").test(record(VALUE, bet()))
    has = predicate("HasHeaderKey", name="trace")
    assert has.test(record(VALUE, bet(), headers=(("trace", None),)))
    assert not has.test(record(VALUE, bet(), headers=(("other", b"x"),)))


def test_a_chain_with_predicates_and_negation() -> None:
    stages = build_stages({
        "transforms": "dropTombstones,key,onlyBets", "predicates": "tomb,isBets",
        "transforms.dropTombstones.type": T + "Filter",
        "transforms.dropTombstones.predicate": "tomb",
        "transforms.key.type": "ValueToKey", "transforms.key.fields": "id",
        "transforms.onlyBets.type": T + "Filter", "transforms.onlyBets.predicate": "isBets",
        "transforms.onlyBets.negate": "true",
        "predicates.tomb.type": P + "RecordIsTombstone",
        "predicates.isBets.type": "TopicNameMatches", "predicates.isBets.pattern": "bets"})
    assert apply_chain(stages, record(VALUE, None)) is None
    assert apply_chain(stages, record(VALUE, bet(), topic="other")) is None
    kept = apply_chain(stages, record(VALUE, bet()))
    assert kept is not None and kept.key.get("id") == 7


def test_a_chain_that_names_an_unknown_predicate_fails_to_build() -> None:
    with pytest.raises(ConfigException, match=r"^Unknown configuration 'predicates.p.type'$"):
        build_stages({"transforms": "f", "transforms.f.type": "Filter",
                      "transforms.f.predicate": "p"})

"""SET and UNSET take only the properties ksqlDB recognises, as its PropertyOverrider
does for every caller (REST, scripts, `tote sql`): unknown names, the service id and
deny-listed names, and values of the wrong type are refused with ksqlDB's messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tote.core.errors import SqlError
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.engine import Engine

DENIED = ("One or more properties overrides set locally are prohibited by the KSQL server "
          "denylist (use UNSET to reset their default value): [{}]")


@pytest.fixture
def denying() -> Iterator[Engine]:
    log = MemoryLog()
    with Registry(log) as registry:
        eng = Engine(log, registry, properties={
            "ksql.properties.overrides.denylist": "ksql.streams.num.stream.threads"})
        eng.start()
        yield eng
        eng.close()


def _refused(engine: Engine, sql: str) -> SqlError:
    with pytest.raises(SqlError) as error:
        engine.execute(sql)
    assert error.value.error_code == 40001
    return error.value


@pytest.mark.parametrize("sql", [
    "SET 'auto.offset.reset' = 'earliest';", "SET 'ksql.streams.auto.offset.reset'='latest';",
    "SET 'ksql.query.pull.table.scan.enabled' = 'true';", "SET 'consumer.max.poll.records'='5';",
    "SET 'ksql.streams.producer.linger.ms' = '5';", "SET 'ksql.functions.any.thing' = 'x';",
    "SET 'bootstrap.servers' = 'elsewhere:9092';", "UNSET 'auto.offset.reset';",
    "UNSET 'ksql.service.id';", "SET 'ksql.streams.topic.min.insync.replicas' = '2';"])
def test_known_properties_are_set_and_unset(engine: Engine, sql: str) -> None:
    engine.execute(sql)


@pytest.mark.parametrize("name", [
    "ksql.foo", "foo.bar", "ksql.streams.foo", "main.consumer.max.poll.records",
    "KSQL.SERVICE.ID", "consumer.no.such"])
def test_an_unknown_property_is_refused_by_set_and_unset(engine: Engine, name: str) -> None:
    error = _refused(engine, f"SET '{name}' = '1';")
    assert error.message == f"Unknown property: {name}"
    assert error.statement_text == f"SET '{name}' = '1';"
    assert _refused(engine, f"UNSET '{name}';").message == f"Unknown property: {name}"


def test_the_service_id_cannot_be_set(engine: Engine) -> None:
    error = _refused(engine, "SET 'ksql.service.id' = 'other_';")
    assert error.message == DENIED.format("ksql.service.id")
    assert engine.session.config.service_id == "default_"


def test_the_server_denylist_holds_for_set(denying: Engine) -> None:
    error = _refused(denying, "SET 'ksql.streams.num.stream.threads' = '2';")
    assert error.message == DENIED.format("ksql.streams.num.stream.threads")
    denying.execute("SET 'ksql.streams.commit.interval.ms' = '100';")


@pytest.mark.parametrize(("sql", "message"), [
    ("SET 'auto.offset.reset' = 'invalid value';", "Invalid value invalid value for "
     "configuration auto.offset.reset: String must be one of: latest, earliest, none"),
    ("SET 'ksql.query.pull.table.scan.enabled' = 'yes';", "Invalid value yes for configuration "
     "ksql.query.pull.table.scan.enabled: Expected value to be either true or false"),
    ("SET 'ksql.streams.commit.interval.ms' = 'soon';", "Invalid value soon for configuration "
     "commit.interval.ms: Not a number of type LONG"),
    ("SET 'consumer.max.poll.records' = '0';", "Invalid value 0 for configuration "
     "max.poll.records: Value must be at least 1"),
    ("SET 'processing.guarantee' = 'exactly_once';", "Invalid value exactly_once for "
     "configuration processing.guarantee: String must be one of: at_least_once, "
     "exactly_once_v2")])
def test_a_value_of_the_wrong_kind_is_refused(engine: Engine, sql: str, message: str) -> None:
    assert _refused(engine, sql).message == message


def test_the_seed_script_still_runs(engine: Engine) -> None:
    engine.execute("SET 'auto.offset.reset' = 'earliest';\nSHOW STREAMS;")
    assert engine.session.config.get("auto.offset.reset") == "earliest"

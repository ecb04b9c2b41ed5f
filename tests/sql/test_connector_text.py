"""The texts ksqlDB makes of CREATE CONNECTOR: masked statements, Java-printed values and
config maps, and the JDBC source template (checked against what ksqlDB's Java prints)."""

from __future__ import annotations

import pytest

from tote.sql.ast import statements as s
from tote.sql.execution.connector_text import java_double, java_map_text, masked_statement
from tote.sql.execution.connectors import connector_config
from tote.sql.parser import parse


def _create(sql: str) -> s.CreateConnector:
    statement = parse(sql)[0]
    assert isinstance(statement, s.CreateConnector)
    return statement


@pytest.mark.parametrize(("sql", "masked"), [
    ("CREATE SOURCE CONNECTOR src WITH ('connector.class' = 'X',  'connection.password'='pw');",
     "CREATE SOURCE CONNECTOR src WITH ('connector.class'='X', "
     "'connection.password'='[string]');"),
    # Keys as written (identifiers too); numbers and booleans masked like strings.
    ("create sink connector if not exists `My Sink` with (\"connector.class\"='X', n=1.5E3, "
     "b=true);",
     "CREATE SINK CONNECTOR IF NOT EXISTS `My Sink` WITH (\"connector.class\"='X', "
     "n='[string]', b='[string]');"),
    # A string key is case-sensitive: only 'connector.class' itself is shown.
    ("CREATE SINK CONNECTOR c WITH ('Connector.Class'='X');",
     "CREATE SINK CONNECTOR c WITH ('Connector.Class'='[string]');"),
])
def test_masked_statement(sql: str, masked: str) -> None:
    assert masked_statement(_create(sql), sql) == masked


def test_config_values_as_java_prints_them() -> None:
    sql = ("CREATE SINK CONNECTOR c WITH ('connector.class'='X', 'a'=1, 'b'=1.5E3, 'c'=1.50, "
           "'d'=false, 'e'=12345678.9E0);")
    assert connector_config(_create(sql)) == {
        "connector.class": "X", "a": "1", "b": "1500.0", "c": "1.50", "d": "false",
        "e": "1.23456789E7", "name": "C"}


def test_jdbc_source_template() -> None:
    """ksqlDB turns a JDBC source's `key` into the transforms that key its records."""
    sql = ("CREATE SOURCE CONNECTOR j WITH ('connector.class'="
           "'io.confluent.connect.jdbc.JdbcSourceConnector', 'key'='id', 'transforms'='t');")
    assert connector_config(_create(sql)) == {
        "connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",
        "transforms": "t,ksqlCreateKey,ksqlExtractString",
        "transforms.ksqlCreateKey.type": "org.apache.kafka.connect.transforms.ValueToKey",
        "transforms.ksqlCreateKey.fields": "id",
        "transforms.ksqlExtractString.type":
            "org.apache.kafka.connect.transforms.ExtractField$Key",
        "transforms.ksqlExtractString.field": "id", "tasks.max": "1", "name": "J"}


def test_java_map_order() -> None:
    """Java's HashMap order (checked with a JVM), `name` put last into a map sized for the
    WITH configs: growing it reorders the keys."""
    assert java_map_text({"topics": "a", "connection.url": "u", "auto.create": "true",
                          "name": "X"}) == "{name=X, auto.create=true, connection.url=u, topics=a}"
    keys = {f"k{i}": "v" for i in range(1, 13)}
    assert java_map_text({**keys, "name": "X"}) == (
        "{k1=v, k2=v, k3=v, k4=v, k5=v, k11=v, k6=v, k10=v, k7=v, k8=v, k12=v, k9=v, name=X}")


@pytest.mark.parametrize(("value", "text"), [
    (1500.0, "1500.0"), (1e20, "1.0E20"), (1.5e-5, "1.5E-5"), (1e7, "1.0E7"),
    (9999999.0, "9999999.0"), (0.001, "0.001"), (-2.5e-7, "-2.5E-7")])
def test_java_double(value: float, text: str) -> None:
    assert java_double(value) == text

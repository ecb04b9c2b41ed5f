"""The WITH clause of CREATE, CREATE ... AS SELECT and INSERT INTO, typed and validated.

Each statement kind accepts its own set of properties (ksqlDB's CreateConfigs,
CreateAsConfigs, InsertIntoConfigs); names ignore case, values are converted to the
property's type, and anything unknown is ksqlDB's "Invalid config variable(s)" error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from tote.sql.ast.expressions import (
    BooleanLiteral,
    DecimalLiteral,
    DoubleLiteral,
    IntegerLiteral,
    Literal,
    LongLiteral,
    NullLiteral,
    StringLiteral,
)
from tote.sql.ast.statements import Properties
from tote.sql.errors import StatementError


class Kind(Enum):
    CREATE = "CREATE"
    CREATE_AS = "CREATE_AS"
    INSERT = "INSERT"


_STRING = "string"
_INT = "int"
_BOOL = "boolean"
_LONG = "long"

_COMMON = {
    "KAFKA_TOPIC": _STRING, "PARTITIONS": _INT, "REPLICAS": _INT, "RETENTION_MS": _LONG,
    "TIMESTAMP": _STRING, "TIMESTAMP_FORMAT": _STRING, "VALUE_AVRO_SCHEMA_FULL_NAME": _STRING,
    "KEY_SCHEMA_FULL_NAME": _STRING, "VALUE_SCHEMA_FULL_NAME": _STRING,
    "VALUE_FORMAT": _STRING, "KEY_FORMAT": _STRING, "FORMAT": _STRING,
    "WRAP_SINGLE_VALUE": _BOOL, "VALUE_DELIMITER": _STRING, "KEY_DELIMITER": _STRING,
    "KEY_SCHEMA_ID": _INT, "VALUE_SCHEMA_ID": _INT, "CLEANUP_POLICY": _STRING,
    "KEY_PROTOBUF_NULLABLE_REPRESENTATION": _STRING,
    "VALUE_PROTOBUF_NULLABLE_REPRESENTATION": _STRING,
}
_ALLOWED: dict[Kind, dict[str, str]] = {
    Kind.CREATE: {**_COMMON, "WINDOW_TYPE": _STRING, "WINDOW_SIZE": _STRING,
                  "SOURCE_CONNECTOR": _STRING, "SOURCED_BY_CONNECTOR": _STRING},
    Kind.CREATE_AS: dict(_COMMON),
    Kind.INSERT: {"QUERY_ID": _STRING},
}


@dataclass(frozen=True)
class WithProps:
    """Typed WITH properties; absent ones are None."""

    values: dict[str, object] = field(default_factory=dict)

    def string(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        return value if isinstance(value, bool) else None

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    @property
    def topic(self) -> str | None:
        return self.string("KAFKA_TOPIC")

    @property
    def key_format_name(self) -> str | None:
        fmt = self.string("FORMAT") or self.string("KEY_FORMAT")
        return fmt.upper() if fmt else None

    @property
    def value_format_name(self) -> str | None:
        fmt = self.string("FORMAT") or self.string("VALUE_FORMAT")
        return fmt.upper() if fmt else None


def _literal_value(literal: Literal) -> object:
    if isinstance(literal, NullLiteral):
        return None
    if isinstance(literal, (StringLiteral, BooleanLiteral, IntegerLiteral, LongLiteral)):
        return literal.value
    if isinstance(literal, (DoubleLiteral, DecimalLiteral)):
        return literal.value
    return getattr(literal, "value", None)


def _convert(name: str, kind: str, raw: object) -> object:
    if raw is None:
        return None
    if kind == _STRING:
        if not isinstance(raw, str):  # ksqlDB's config types refuse e.g. KAFKA_TOPIC=1
            raise _invalid(name, raw, "Expected value to be a string, but it was a "
                           + _java_class(raw))
        return raw
    if kind in (_INT, _LONG):
        if isinstance(raw, bool):
            raise _invalid(name, raw, "Expected value to be a 32-bit integer, but it was a "
                           "java.lang.Boolean" if kind == _INT else "Not a number")
        bits = 32 if kind == _INT else 64
        if isinstance(raw, int):
            if not _fits(raw, bits):  # a BIGINT literal for an INT property (Java: Long)
                raise _invalid(name, raw, "Expected value to be a 32-bit integer, but it "
                               "was a java.lang.Long")
            return raw
        if isinstance(raw, (Decimal, float)) and int(raw) == raw and _fits(int(raw), bits):
            return int(raw)
        try:
            number = int(str(raw).strip())
        except ValueError:
            number = None
        if number is None or not _fits(number, bits):
            raise _invalid(name, raw, "Not a number of type INT" if kind == _INT
                           else "Not a number of type LONG")
        return number
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise _invalid(name, raw, "Expected value to be either true or false")


def _java_class(value: object) -> str:
    """The Java class ksqlDB's literal of `value` holds, as its config errors name it."""
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer" if _fits(value, 32) else "java.lang.Long"
    if isinstance(value, Decimal):
        return "java.math.BigDecimal"
    return "java.lang.Double"


def _fits(value: int, bits: int) -> bool:
    """Whether `value` is a Java int (32 bits) or long (64): PARTITIONS=2147483648 must be
    refused here, not handed to the log as a request for two billion partitions."""
    return -(1 << (bits - 1)) <= value < (1 << (bits - 1))


def _invalid(name: str, value: object, reason: str) -> StatementError:
    shown = str(value).lower() if isinstance(value, bool) else value  # as Java prints it
    return StatementError(f"Invalid value {shown} for property {name}: {reason}")


def parse_with(properties: Properties, kind: Kind) -> WithProps:
    """Validate and type a WITH clause for a statement of `kind`."""
    allowed = _ALLOWED[kind]
    unknown = sorted({p.name.upper() for p in properties} - set(allowed))
    if unknown:
        raise StatementError(
            f"Invalid config variable(s) in the WITH clause: {','.join(unknown)}")
    values: dict[str, object] = {}
    for prop in properties:
        name = prop.name.upper()
        values[name] = _convert(name, allowed[name], _literal_value(prop.value))
    props = WithProps(values)
    _check_format_combinations(props)
    return props


def _check_format_combinations(props: WithProps) -> None:
    if "FORMAT" in props:
        for other in ("KEY_FORMAT", "VALUE_FORMAT"):
            if other in props:
                raise StatementError(
                    f"Cannot supply both '{other}' and 'FORMAT' properties, as 'FORMAT' sets "
                    "both key and value formats. Either use just 'FORMAT', or use "
                    "'KEY_FORMAT' and 'VALUE_FORMAT'.")
    if "VALUE_AVRO_SCHEMA_FULL_NAME" in props and "VALUE_SCHEMA_FULL_NAME" in props:
        raise StatementError(
            "Cannot supply both 'VALUE_AVRO_SCHEMA_FULL_NAME' and 'VALUE_SCHEMA_FULL_NAME' "
            "properties. Please only set 'VALUE_SCHEMA_FULL_NAME'.")
    for name in ("PARTITIONS", "REPLICAS"):
        value = props.integer(name)
        if value is not None and value < 1 and not (name == "REPLICAS" and value == -1):
            raise StatementError(f"Invalid number of {name.lower()} in WITH clause: {value}")

"""Which columns a record becomes: primary key columns per `pk.mode`, then value fields.

Confluent's `FieldsMetadata`: kafka coordinates, key fields (a primitive key is one
column named by `pk.fields`; a struct key gives all or the listed fields) or value
fields form the key; the remaining value fields (filtered by `fields.whitelist`) are the
other columns. Column order: the kafka coordinate columns, then value fields in schema
order, then any remaining key fields by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tote.connect.data import Schema, Type, primitive
from tote.connect.errors import ConnectException
from tote.connect.jdbc.config import DEFAULT_KAFKA_PK_NAMES, JdbcSinkConfig, PkMode
from tote.connect.jdbc.dialect import ColumnSpec


@dataclass(frozen=True)
class FieldsMetadata:
    """The key columns, the other columns, and every column's spec in table order."""

    key_fields: tuple[str, ...]
    non_key_fields: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]

    def spec(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _kafka(table: str, configured: Sequence[str]) -> list[ColumnSpec]:
    if not configured:
        names = list(DEFAULT_KAFKA_PK_NAMES)
    elif len(configured) == 3:
        names = list(configured)
    else:
        raise ConnectException(
            f"PK mode for table '{table}' is KAFKA so there should either be no field names "
            f"defined for defaults [{', '.join(DEFAULT_KAFKA_PK_NAMES)}] to be applicable, or "
            f"exactly 3, defined fields are: [{', '.join(configured)}]")
    kinds = (Type.STRING, Type.INT32, Type.INT64)
    return [ColumnSpec(n, primitive(k), True) for n, k in zip(names, kinds, strict=True)]


def _record_key(table: str, configured: Sequence[str], key: Schema | None) -> list[ColumnSpec]:
    if key is None:
        raise ConnectException(
            f"PK mode for table '{table}' is RECORD_KEY, but record key schema is missing")
    if key.type.primitive:
        if len(configured) != 1:
            raise ConnectException(
                "Need exactly one PK column defined since the key schema for records is a "
                f"primitive type, defined columns are: [{', '.join(configured)}]")
        return [ColumnSpec(configured[0], key, True)]
    if key.type is not Type.STRUCT:
        raise ConnectException(
            f"Key schema must be primitive type or Struct, but is of type: {key.type.name}")
    names = list(configured) or [f.name for f in key.fields]
    specs = []
    for name in names:
        found = key.field(name)
        if found is None:
            raise ConnectException(
                f"PK mode for table '{table}' is RECORD_KEY with configured PK fields "
                f"[{', '.join(configured)}], but record key schema does not contain field: "
                f"{name}")
        specs.append(ColumnSpec(name, found.schema, True))
    return specs


def _record_value(table: str, configured: Sequence[str], value: Schema | None
                  ) -> list[ColumnSpec]:
    if value is None:
        raise ConnectException(
            f"PK mode for table '{table}' is RECORD_VALUE, but record value schema is missing")
    names = list(configured) or [f.name for f in value.fields]
    specs = []
    for name in names:
        found = value.field(name)
        if found is None:
            raise ConnectException(
                f"PK mode for table '{table}' is RECORD_VALUE with configured PK fields "
                f"[{', '.join(configured)}], but record value schema does not contain field: "
                f"{name}")
        specs.append(ColumnSpec(name, found.schema, True))
    return specs


def extract(table: str, config: JdbcSinkConfig, key: Schema | None, value: Schema | None
            ) -> FieldsMetadata:
    """The columns of `table` for records with these key and value schemas."""
    if value is not None and value.type is not Type.STRUCT:
        raise ConnectException("Value schema must be of type Struct")
    mode, configured = config.pk_mode, config.pk_fields
    if mode is PkMode.KAFKA:
        keys = _kafka(table, configured)
    elif mode is PkMode.RECORD_KEY:
        keys = _record_key(table, configured, key)
    elif mode is PkMode.RECORD_VALUE:
        keys = _record_value(table, configured, value)
    else:
        keys = []
    key_names = [k.name for k in keys]
    others: list[ColumnSpec] = []
    if value is not None:
        whitelist = config.fields_whitelist
        for fld in value.fields:
            if fld.name in key_names or (whitelist and fld.name not in whitelist):
                continue
            others.append(ColumnSpec(fld.name, fld.schema, False))
    if not keys and not others:
        raise ConnectException(f"No fields found using key and value schemas for table: {table}")
    by_name = {c.name: c for c in [*keys, *others]}
    ordered = [by_name[n] for n in DEFAULT_KAFKA_PK_NAMES if n in by_name]
    if value is not None:
        ordered += [by_name[f.name] for f in value.fields
                    if f.name in by_name and by_name[f.name] not in ordered]
    ordered += [by_name[n] for n in sorted(by_name) if by_name[n] not in ordered]
    return FieldsMetadata(tuple(key_names), tuple(c.name for c in others), tuple(ordered))

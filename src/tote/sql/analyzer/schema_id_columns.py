"""CREATE ... AS SELECT with KEY_SCHEMA_ID / VALUE_SCHEMA_ID: the query's columns must
fit the schema the id names.

The sink writes with that schema, so each output column must be the schema's field of
the same name and type at the same position; the schema may have more fields after
them (written as null or their default; a required one fails the write). ksqlDB checks
this before the query starts, naming the columns that do not fit.
"""

from __future__ import annotations

from collections.abc import Sequence

from tote.registry import Registry
from tote.sql.codecs import schemas
from tote.sql.errors import StatementError
from tote.sql.formats import SCHEMA_ID
from tote.sql.sources import FormatInfo, SourceColumn, render_columns


def check_schema_id_columns(registry: Registry | None, topic: str, info: FormatInfo,
                            columns: Sequence[SourceColumn], is_key: bool) -> None:
    """Refuse `columns` the schema `info`'s schemaId names cannot carry as they are."""
    if info.prop(SCHEMA_ID) is None or not columns or registry is None:
        return
    single = ("ROWKEY" if is_key else "ROWVAL") if is_key or info.unwrap else None
    found = schemas.infer_columns(registry, topic, is_key, info, single)
    slots = {(c.name, c.type, i) for i, c in enumerate(found)}
    unfit = [c for i, c in enumerate(columns) if (c.name, c.type, i) not in slots]
    if unfit:
        side = "key" if is_key else "value"
        raise StatementError(
            f"The following {side} columns are changed, missing or reordered: "
            f"[{render_columns(unfit)}]. Schema from schema registry is "
            f"[{render_columns(found)}]")

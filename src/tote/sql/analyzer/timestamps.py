"""WITH (TIMESTAMP='col' [, TIMESTAMP_FORMAT='pattern']): event time from a column.

The column must be BIGINT (epoch ms), TIMESTAMP, or a STRING parsed with the format.
"""

from __future__ import annotations

from collections.abc import Sequence

from tote.core.types import Base
from tote.sql.analyzer.with_clause import WithProps
from tote.sql.errors import StatementError
from tote.sql.sources import SourceColumn, TimestampColumn


def timestamp_column(props: WithProps, columns: Sequence[SourceColumn]
                     ) -> TimestampColumn | None:
    name = props.string("TIMESTAMP")
    if name is None:
        return None
    column_name = _column_name(name)
    fmt = props.string("TIMESTAMP_FORMAT")
    found = next((c for c in columns if c.name == column_name), None)
    if found is None:
        raise StatementError(
            "The TIMESTAMP column set in the WITH clause does not exist in the schema: "
            f"'{column_name}'")
    base = found.type.base
    if base is Base.STRING:
        if fmt is None:
            raise StatementError(
                "A String timestamp field has been specified without also specifying the "
                "TIMESTAMP_FORMAT property.")
    elif base not in (Base.BIGINT, Base.TIMESTAMP):
        raise StatementError(
            f"Timestamp column, `{column_name}`, should be LONG(INT64), TIMESTAMP, or a String "
            "with a timestamp_format specified.")
    return TimestampColumn(column_name, fmt)


def _column_name(text: str) -> str:
    """Quoted names keep their case; others are upper-cased, as identifiers are."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "`":
        return text[1:-1]
    return text.upper()

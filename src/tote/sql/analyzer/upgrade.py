"""CREATE OR REPLACE: which changes to an existing stream or table ksqlDB allows.

A replacement may add columns after the existing ones, but it may not turn a stream
into a table, move it to another topic or change its key or value format (or window),
change the timestamp column, or drop, retype or reorder a column: queries and data
already written rely on them. ksqlDB's metastore refuses such a replacement with
"Cannot upgrade data source: ...", listing each refused change.
"""

from __future__ import annotations

from collections.abc import Sequence

from tote.core.types import SqlType
from tote.sql.errors import StatementError
from tote.sql.sources import (
    ColumnRole,
    DataSource,
    FormatInfo,
    SourceColumn,
    TimestampColumn,
    WindowInfo,
)

# A column as ksqlDB compares them: its place among the columns of its role counts too.
_Identity = tuple[str, SqlType, ColumnRole, int, str | None]


def check_upgrade(old: DataSource, new: DataSource) -> None:
    """Raise ksqlDB's error if `new` may not replace `old`."""
    issues: list[str] = []
    if old.type is not new.type:
        issues.append(_issue(old, "type", f"K{old.type.value}", f"K{new.type.value}"))
    if _topic(old) != _topic(new):
        issues.append(_issue(old, "topic", render_topic(old), render_topic(new)))
    if old.timestamp != new.timestamp:
        issues.append(_issue(old, "timestampColumn", render_timestamp(old.timestamp),
                             render_timestamp(new.timestamp)))
    changed = _changed_columns(old.columns, new.columns)
    if changed:
        issues.append(_issue(old, "schema", _schema(old.columns), _schema(new.columns))
                      + f". ({changed})")
    if issues:
        raise StatementError("Cannot upgrade data source: " + "\n\tAND ".join(issues))


def _issue(old: DataSource, what: str, before: str, after: str) -> str:
    return (f"DataSource '`{old.name}`' has {what} = {before} which is not upgradeable "
            f"to {after}")


def _changed_columns(old: Sequence[SourceColumn], new: Sequence[SourceColumn]) -> str | None:
    """What ksqlDB reports of the old columns the new schema lacks (keys first)."""
    keys = _missing([c for c in old if c.is_key], [c for c in new if c.is_key])
    if keys:
        return ("Key columns must be identical. The following key columns are changed, "
                f"missing or reordered: [{_schema(keys)}]")
    rest = _missing(old, new)
    if rest:
        return f"The following columns are changed, missing or reordered: [{_schema(rest)}]"
    return None


def _missing(old: Sequence[SourceColumn], new: Sequence[SourceColumn]) -> list[SourceColumn]:
    kept = set(_identities(new))
    return [c for c, ident in zip(old, _identities(old), strict=True) if ident not in kept]


def _identities(columns: Sequence[SourceColumn]) -> list[_Identity]:
    seen: dict[ColumnRole, int] = {}
    found: list[_Identity] = []
    for c in columns:
        index = seen.get(c.role, 0)
        seen[c.role] = index + 1
        found.append((c.name, c.type, c.role, index, c.header_key))
    return found


def _schema(columns: Sequence[SourceColumn]) -> str:
    return ", ".join(c.render() for c in columns)


def _topic(source: DataSource) -> tuple[str, FormatInfo, FormatInfo, WindowInfo | None]:
    """What ksqlDB's KsqlTopic compares: the topic name, both formats and the window."""
    return source.topic, source.key_format, source.value_format, source.window


def render_topic(source: DataSource) -> str:
    """Java's rendering of ksqlDB's KsqlTopic."""
    key, value = source.key_format, source.value_format
    return (f"KsqlTopic{{kafkaTopicName='{source.topic}', "
            f"keyFormat=KeyFormat{{format={render_format(key)}, "
            f"features={render_features(key)}, window={_render_window(source.window)}}}, "
            f"valueFormat=ValueFormat{{format={render_format(value)}, "
            f"features={render_features(value)}}}}}")


def render_format(info: FormatInfo) -> str:
    """Java's rendering of ksqlDB's FormatInfo."""
    props = ", ".join(f"{k}={v}" for k, v in info.properties)
    return f"FormatInfo{{format={info.name}, properties={{{props}}}}}"


def render_features(info: FormatInfo) -> str:
    """Java's rendering of ksqlDB's SerdeFeatures."""
    return "[" + ", ".join(sorted(f.name for f in info.features)) + "]"


def _render_window(window: WindowInfo | None) -> str:
    """Java's Optional<WindowInfo>; tote keeps no emit strategy, so CHANGES, the default."""
    if window is None:
        return "Optional.empty"
    size = "Optional.empty" if window.size_ms is None else f"Optional[{window.size_ms}]"
    return (f"Optional[WindowInfo{{type={window.type.value}, size={size}, "
            "emitStrategy=CHANGES}]")


def render_timestamp(ts: TimestampColumn | None) -> str:
    """Java's rendering of ksqlDB's Optional<TimestampColumn>."""
    if ts is None:
        return "Optional.empty"
    fmt = "Optional.empty" if ts.format is None else f"Optional[{ts.format}]"
    return f"Optional[TimestampColumn{{column=`{ts.column}`, format={fmt}}}]"

"""ALTER STREAM|TABLE name ADD [COLUMN] col type [, ...]: new value columns for a source.

ksqlDB's rules (AlterSourceFactory, DdlCommandExec.executeAlterSource), with its
messages: not on a read-only CREATE SOURCE stream or table, not on a CREATE ... AS
SELECT sink, the statement's kind must be the source's, and a new column may not be named
like a value column (ksqlDB's schema builder checks duplicates per namespace only). New
columns are always value columns (the grammar has no KEY for ALTER) and go last; nothing
is written to the topic or the schema registry, so rows without the column read it as
NULL. The source's statement text gains the ALTER on a new line, as ksqlDB's DESCRIBE
EXTENDED shows. Writes after it with a registry format register the grown schema or are
refused, as ksqlDB's serializers do (`tote.sql.codecs.growth`).

As in ksqlDB, nothing else is checked here: a value column named like a key or header
column or a system column (ROWTIME...) is added, and queries read the key, header or
system column by that name (`DataSource.hidden_value_slots`); columns the value format
cannot carry are added too, and a query reading the source or a write into it is then
refused when it builds its serdes, with the message CREATE gives.
"""

from __future__ import annotations

from dataclasses import replace

from tote.sql.ast.statements import AlterSource, SourceKind
from tote.sql.errors import StatementError
from tote.sql.metastore import MetaStore
from tote.sql.sources import ColumnRole, SourceColumn, SourceType


def command_id(statement: AlterSource) -> str:
    """ksqlDB's CommandIdAssigner: the source's name, unquoted (`stream/S/alter`)."""
    return f"{statement.kind.value.lower()}/{statement.name}/alter"


def alter_source(statement: AlterSource, text: str, metastore: MetaStore) -> str:
    """Add the columns to the catalogue copy; ksqlDB's message ("Stream S altered.")."""
    name = statement.name
    kind = statement.kind.value.lower()
    source = metastore.source(name)
    if source is not None and source.is_source:
        raise StatementError(f"Cannot alter {kind} '{name}': ALTER operations are not "
                             f"supported on source {kind}s.")
    if source is None:
        raise StatementError(f"Source {name} does not exist.")
    wanted = SourceType.STREAM if statement.kind is SourceKind.STREAM else SourceType.TABLE
    if source.type is not wanted:
        raise StatementError(f"Incompatible data source type is {source.type.value}, but "
                             f"statement was ALTER {wanted.value}")
    if source.from_query:
        raise StatementError("ALTER command is not supported for CREATE ... AS statements.")
    taken = {c.name for c in source.value_columns}
    added: list[SourceColumn] = []
    for option in statement.options:
        if option.column in taken:
            raise StatementError(f"Cannot add column `{option.column}` to schema. A column "
                                 "with the same name already exists.")
        taken.add(option.column)
        added.append(SourceColumn(option.column, option.type.resolve(metastore.types.get),
                                  ColumnRole.VALUE))
    metastore.put_source(replace(source, columns=(*source.columns, *added),
                                 sql=f"{source.sql}\n{text}"))
    return f"{source.type.value.capitalize()} {name} altered."

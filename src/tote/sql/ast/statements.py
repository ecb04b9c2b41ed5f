"""Statements that define and change data (DDL, INSERT, queries), and the statement base.

Every statement keeps its source text, which ksqlDB echoes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from tote.sql.ast.expressions import Expression, Literal
from tote.sql.ast.nodes import Node
from tote.sql.ast.queries import Query
from tote.sql.ast.types import Type


class SourceKind(Enum):
    STREAM = "STREAM"
    TABLE = "TABLE"


class ConnectorKind(Enum):
    SOURCE = "SOURCE"
    SINK = "SINK"


class ConnectorScope(Enum):
    ALL = "ALL"
    SOURCE = "SOURCE"
    SINK = "SINK"


class ColumnConstraint(Enum):
    NONE = "NONE"
    KEY = "KEY"
    PRIMARY_KEY = "PRIMARY KEY"
    HEADERS = "HEADERS"
    HEADER = "HEADER"


@dataclass(frozen=True, slots=True)
class Statement(Node):
    """Base of statements. `text` runs from the first token through the closing `;`."""

    text: str = field(default="", compare=False, kw_only=True)


# --- shared parts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableElement(Node):
    """A column definition: `name type [KEY | PRIMARY KEY | HEADERS | HEADER('key')]`."""

    name: str
    type: Type
    constraint: ColumnConstraint = ColumnConstraint.NONE
    header_key: str | None = None


@dataclass(frozen=True, slots=True)
class Property(Node):
    """One `name = literal` of a WITH clause.

    `name` is spelled as ksqlDB keeps it: a quoted string exactly as written (connector
    configs such as 'connector.class' are case-sensitive), an identifier upper-cased
    unless quoted.
    """

    name: str
    value: Literal


@dataclass(frozen=True, slots=True)
class Properties(Node):
    """A WITH clause, in written order. Lookups ignore case, as ksqlDB's source and query
    properties do; use `items` where case matters (connector configs)."""

    items: tuple[Property, ...] = ()

    def get(self, name: str) -> Literal | None:
        wanted = name.upper()
        for item in self.items:
            if item.name.upper() == wanted:
                return item.value
        return None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[Property]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


# --- queries and DDL --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryStatement(Statement):
    """A SELECT on its own: a push query (EMIT) or a pull query."""

    query: Query


@dataclass(frozen=True, slots=True)
class CreateSource(Statement):
    """CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name [(columns)] [WITH]."""

    name: str
    elements: tuple[TableElement, ...] = ()
    properties: Properties = Properties()
    or_replace: bool = False
    if_not_exists: bool = False
    is_source: bool = False


@dataclass(frozen=True, slots=True)
class CreateStream(CreateSource):
    pass


@dataclass(frozen=True, slots=True)
class CreateTable(CreateSource):
    pass


@dataclass(frozen=True, slots=True)
class CreateAsSelect(Statement):
    """CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name [WITH (...)] AS SELECT ..."""

    name: str
    query: Query
    properties: Properties = Properties()
    or_replace: bool = False
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class CreateStreamAsSelect(CreateAsSelect):
    pass


@dataclass(frozen=True, slots=True)
class CreateTableAsSelect(CreateAsSelect):
    pass


@dataclass(frozen=True, slots=True)
class InsertInto(Statement):
    """INSERT INTO target [WITH (...)] SELECT ..."""

    target: str
    query: Query
    properties: Properties = Properties()


@dataclass(frozen=True, slots=True)
class InsertValues(Statement):
    """INSERT INTO target [(columns)] VALUES (values)."""

    target: str
    columns: tuple[str, ...]
    values: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class DropSource(Statement):
    name: str
    if_exists: bool = False
    delete_topic: bool = False


@dataclass(frozen=True, slots=True)
class DropStream(DropSource):
    pass


@dataclass(frozen=True, slots=True)
class DropTable(DropSource):
    pass


@dataclass(frozen=True, slots=True)
class AlterOption(Node):
    """`ADD [COLUMN] name type`."""

    column: str
    type: Type


@dataclass(frozen=True, slots=True)
class AlterSource(Statement):
    name: str
    kind: SourceKind
    options: tuple[AlterOption, ...]


@dataclass(frozen=True, slots=True)
class RegisterType(Statement):
    """CREATE TYPE [IF NOT EXISTS] name AS type."""

    name: str
    type: Type
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class DropType(Statement):
    name: str
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class CreateConnector(Statement):
    name: str
    kind: ConnectorKind
    properties: Properties
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class DropConnector(Statement):
    name: str
    if_exists: bool = False

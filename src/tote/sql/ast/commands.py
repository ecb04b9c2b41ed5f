"""Statements that inspect or control the engine rather than define data: listing and
describing, query control, session properties and variables, PRINT, RUN SCRIPT, EXPLAIN
and the ASSERT statements of ksqlDB's migration and test tooling."""

from __future__ import annotations

from dataclasses import dataclass, field

from tote.sql.ast.expressions import Expression
from tote.sql.ast.queries import Duration
from tote.sql.ast.statements import ConnectorScope, CreateSource, Properties, Statement


@dataclass(frozen=True, slots=True)
class TerminateQuery(Statement):
    """TERMINATE query_id, or TERMINATE ALL when `query_id` is None."""

    query_id: str | None


@dataclass(frozen=True, slots=True)
class PauseQuery(Statement):
    query_id: str | None


@dataclass(frozen=True, slots=True)
class ResumeQuery(Statement):
    query_id: str | None


@dataclass(frozen=True, slots=True)
class Explain(Statement):
    """EXPLAIN query_id, or EXPLAIN statement."""

    query_id: str | None = None
    statement: Statement | None = None


@dataclass(frozen=True, slots=True)
class ListStreams(Statement):
    extended: bool = False


@dataclass(frozen=True, slots=True)
class ListTables(Statement):
    extended: bool = False


@dataclass(frozen=True, slots=True)
class ListQueries(Statement):
    extended: bool = False


@dataclass(frozen=True, slots=True)
class ListTopics(Statement):
    """SHOW [ALL] TOPICS [EXTENDED]; ALL includes internal topics."""

    all: bool = False
    extended: bool = False


@dataclass(frozen=True, slots=True)
class ListProperties(Statement):
    pass


@dataclass(frozen=True, slots=True)
class ListFunctions(Statement):
    pass


@dataclass(frozen=True, slots=True)
class ListTypes(Statement):
    pass


@dataclass(frozen=True, slots=True)
class ListVariables(Statement):
    pass


@dataclass(frozen=True, slots=True)
class ListConnectors(Statement):
    scope: ConnectorScope = ConnectorScope.ALL


@dataclass(frozen=True, slots=True)
class ListConnectorPlugins(Statement):
    pass


@dataclass(frozen=True, slots=True)
class ShowColumns(Statement):
    """DESCRIBE source [EXTENDED]."""

    name: str
    extended: bool = False


@dataclass(frozen=True, slots=True)
class DescribeStreams(Statement):
    extended: bool = False


@dataclass(frozen=True, slots=True)
class DescribeTables(Statement):
    extended: bool = False


@dataclass(frozen=True, slots=True)
class DescribeFunction(Statement):
    name: str


@dataclass(frozen=True, slots=True)
class DescribeConnector(Statement):
    name: str


@dataclass(frozen=True, slots=True)
class PrintTopic(Statement):
    """PRINT topic [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n]; `topic` keeps its case."""

    topic: str
    from_beginning: bool = False
    interval: int | None = None
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class SetProperty(Statement):
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class AlterSystemProperty(Statement):
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class UnsetProperty(Statement):
    name: str


@dataclass(frozen=True, slots=True)
class DefineVariable(Statement):
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class UndefineVariable(Statement):
    name: str


@dataclass(frozen=True, slots=True)
class RunScript(Statement):
    """RUN SCRIPT 'path': the statements of a file, run by `tote.sql.script`."""

    path: str


@dataclass(frozen=True, slots=True)
class AssertTopic(Statement):
    """ASSERT [NOT EXISTS] TOPIC name [WITH (...)] [TIMEOUT n unit]."""

    topic: str
    properties: Properties = field(default_factory=Properties)
    timeout: Duration | None = None
    exists: bool = True


@dataclass(frozen=True, slots=True)
class AssertSchema(Statement):
    """ASSERT [NOT EXISTS] SCHEMA [SUBJECT name] [ID n] [TIMEOUT n unit]."""

    subject: str | None = None
    id: int | None = None
    timeout: Duration | None = None
    exists: bool = True


@dataclass(frozen=True, slots=True)
class AssertValues(Statement):
    """ASSERT VALUES target [(columns)] VALUES (values): the next record must match."""

    target: str
    columns: tuple[str, ...]
    values: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class AssertTombstone(Statement):
    """ASSERT NULL VALUES target [(key columns)] KEY (values)."""

    target: str
    columns: tuple[str, ...]
    values: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class AssertSource(Statement):
    """ASSERT STREAM|TABLE: the source must exist with this schema and properties."""

    source: CreateSource

"""Rule callbacks for statements, column definitions and WITH clauses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tote.sql.ast import commands as cm
from tote.sql.ast import expressions as e
from tote.sql.ast import queries as q
from tote.sql.ast import statements as s
from tote.sql.ast import types as ty
from tote.sql.ast.nodes import walk
from tote.sql.builder.base import (
    Clause,
    Name,
    clause,
    has,
    of_type,
    one,
    opt,
    prepare_error,
    span_of,
    string_value,
    tokens,
    whole_number,
)
from tote.sql.builder.expressions import time_unit
from tote.sql.builder.types import HEADERS_TYPE

Children = list[Any]


def persistent(query: q.Query, kind: str | None = None) -> q.Query:
    """A query inside CREATE ... AS SELECT or INSERT INTO: never a pull query, and
    `EMIT CHANGES` unless written otherwise. CREATE ... AS SELECT rejects LIMIT."""
    if kind is not None and query.limit is not None:
        message = f"CREATE {kind} AS SELECT statements don't support LIMIT clause."
        raise prepare_error(message, query.span)
    return replace(query, is_pull=False, refinement=query.refinement or q.OutputRefinement.CHANGES)


def check_qualifiers(statement: s.Statement) -> None:
    """ksqlDB rejects `x.col` and `x.*` when x names no source or alias of the statement."""
    known: set[str] = set()
    for node in walk(statement):
        if isinstance(node, q.AliasedRelation):
            known.update((node.name, node.alias))
    for node in walk(statement):
        qualifier = node.source if isinstance(node, e.ColumnRef | q.AllColumns) else None
        if qualifier is not None and qualifier not in known:
            message = f"'{qualifier}' is not a valid stream/table name or alias."
            raise prepare_error(message, node.span)


def _query_id(c: Children) -> str | None:
    name = opt(c, Name)
    return name.text if name is not None else None


def _properties(c: Children) -> s.Properties:
    return opt(c, s.Properties) or s.Properties()


class StatementRules:
    """Callbacks named after the statement rules and aliases of grammar.lark."""

    # --- parts --------------------------------------------------------------------------

    def table_property(self, c: Children) -> s.Property:
        key = c[0]
        name = key.text if isinstance(key, Name) else string_value(key)
        return s.Property(name, c[2], span=span_of(c))

    def table_properties(self, c: Children) -> s.Properties:
        items = of_type(c, s.Property)
        seen: dict[str, s.Property] = {}
        for item in items:
            if item.name in seen:
                raise prepare_error(
                    f"Multiple entries with same key: {item.name}={_show(seen[item.name].value)}"
                    f" and {item.name}={_show(item.value)}",
                    item.span,
                )
            seen[item.name] = item
        return s.Properties(tuple(items), span=span_of(c))

    def with_properties(self, c: Children) -> s.Properties:
        props: s.Properties = c[1]
        return props

    def key_constraint(self, c: Children) -> Clause:
        kind = s.ColumnConstraint.PRIMARY_KEY if has(c, "PRIMARY") else s.ColumnConstraint.KEY
        return Clause("constraint", (kind, None), span_of(c))

    def headers_constraint(self, c: Children) -> Clause:
        return Clause("constraint", (s.ColumnConstraint.HEADERS, None), span_of(c))

    def header_constraint(self, c: Children) -> Clause:
        key = string_value(tokens(c)[2]).strip() or None
        return Clause("constraint", (s.ColumnConstraint.HEADER, key), span_of(c))

    def table_element(self, c: Children) -> s.TableElement:
        name: Name = c[0]
        column_type: ty.Type = c[1]
        kind, header_key = clause(c, "constraint") or (s.ColumnConstraint.NONE, None)
        if isinstance(column_type, ty.BuiltinType):
            actual = column_type.sql_type
            if kind is s.ColumnConstraint.HEADER and actual != ty.PRIMITIVES["BYTES"]:
                raise prepare_error(
                    f"Invalid type for HEADER('{header_key}') column: expected BYTES, got {actual}",
                    column_type.span,
                )
            if kind is s.ColumnConstraint.HEADERS and actual != HEADERS_TYPE:
                raise prepare_error(
                    f"Invalid type for HEADERS column: expected {HEADERS_TYPE}, got {actual}",
                    column_type.span,
                )
        return s.TableElement(name.text, column_type, kind, header_key, span=span_of(c))

    def table_elements(self, c: Children) -> Clause:
        return Clause("elements", tuple(of_type(c, s.TableElement)), span_of(c))

    def column_list(self, c: Children) -> Clause:
        return Clause("columns", tuple(n.text for n in of_type(c, Name)), span_of(c))

    def values(self, c: Children) -> Clause:
        return Clause("values", tuple(of_type(c, e.Expression)), span_of(c))

    def interval_clause(self, c: Children) -> Clause:
        return Clause("interval", whole_number(c[1], "INTERVAL"), span_of(c))

    def timeout(self, c: Children) -> Clause:
        duration = q.Duration(whole_number(c[1], "TIMEOUT"), time_unit(c[2]), span=span_of(c))
        return Clause("timeout", duration, span_of(c))

    def alter_option(self, c: Children) -> s.AlterOption:
        name = one(c, Name)
        return s.AlterOption(name.text, c[-1], span=span_of(c))

    def list_or_show(self, c: Children) -> Any:
        return c[0]

    # --- statements ---------------------------------------------------------------------

    def query_statement(self, c: Children) -> s.Statement:
        statement = s.QueryStatement(c[0], span=span_of(c))
        check_qualifiers(statement)
        return statement

    def create_stream(self, c: Children) -> s.Statement:
        return self._create_source(s.CreateStream, c)

    def create_table(self, c: Children) -> s.Statement:
        return self._create_source(s.CreateTable, c)

    def _create_source(self, cls: type[s.CreateSource], c: Children) -> s.CreateSource:
        return cls(
            one(c, Name).text,
            elements=clause(c, "elements") or (),
            properties=_properties(c),
            or_replace=has(c, "REPLACE"),
            if_not_exists=has(c, "EXISTS"),
            is_source=has(c, "SOURCE"),
            span=span_of(c),
        )

    def create_stream_as(self, c: Children) -> s.Statement:
        return self._create_as(s.CreateStreamAsSelect, "STREAM", c)

    def create_table_as(self, c: Children) -> s.Statement:
        return self._create_as(s.CreateTableAsSelect, "TABLE", c)

    def _create_as(self, cls: type[s.CreateAsSelect], kind: str, c: Children) -> s.Statement:
        statement = cls(
            one(c, Name).text,
            persistent(one(c, q.Query), kind),
            properties=_properties(c),
            or_replace=has(c, "REPLACE"),
            if_not_exists=has(c, "EXISTS"),
            span=span_of(c),
        )
        check_qualifiers(statement)
        return statement

    def insert_into(self, c: Children) -> s.Statement:
        statement = s.InsertInto(
            one(c, Name).text, persistent(one(c, q.Query)), _properties(c), span=span_of(c)
        )
        check_qualifiers(statement)
        return statement

    def insert_values(self, c: Children) -> s.Statement:
        columns, values = clause(c, "columns") or (), clause(c, "values")
        if columns and len(columns) != len(values):
            raise prepare_error("Expected number columns and values to match: "
                                f"{len(columns)}, {len(values)}", span_of(c))
        statement = s.InsertValues(one(c, Name).text, columns, values, span=span_of(c))
        check_qualifiers(statement)
        return statement

    def create_connector(self, c: Children) -> s.Statement:
        kind = s.ConnectorKind.SINK if has(c, "SINK") else s.ConnectorKind.SOURCE
        return s.CreateConnector(
            one(c, Name).text, kind, _properties(c), has(c, "EXISTS"), span=span_of(c)
        )

    def drop_stream(self, c: Children) -> s.Statement:
        return s.DropStream(one(c, Name).text, has(c, "EXISTS"), has(c, "DELETE"), span=span_of(c))

    def drop_table(self, c: Children) -> s.Statement:
        return s.DropTable(one(c, Name).text, has(c, "EXISTS"), has(c, "DELETE"), span=span_of(c))

    def drop_connector(self, c: Children) -> s.Statement:
        return s.DropConnector(one(c, Name).text, has(c, "EXISTS"), span=span_of(c))

    def register_type(self, c: Children) -> s.Statement:
        return s.RegisterType(one(c, Name).text, c[-1], has(c, "EXISTS"), span=span_of(c))

    def drop_type(self, c: Children) -> s.Statement:
        return s.DropType(one(c, Name).text, has(c, "EXISTS"), span=span_of(c))

    def alter_source(self, c: Children) -> s.Statement:
        kind = s.SourceKind.STREAM if has(c, "STREAM") else s.SourceKind.TABLE
        options = tuple(of_type(c, s.AlterOption))
        return s.AlterSource(one(c, Name).text, kind, options, span=span_of(c))

    def terminate_query(self, c: Children) -> s.Statement:
        return cm.TerminateQuery(_query_id(c), span=span_of(c))

    def pause_query(self, c: Children) -> s.Statement:
        return cm.PauseQuery(_query_id(c), span=span_of(c))

    def resume_query(self, c: Children) -> s.Statement:
        return cm.ResumeQuery(_query_id(c), span=span_of(c))

    def explain(self, c: Children) -> s.Statement:
        inner = opt(c, s.Statement)
        if inner is not None:
            return cm.Explain(statement=inner, span=span_of(c))
        return cm.Explain(query_id=one(c, Name).text, span=span_of(c))

    def list_properties(self, c: Children) -> s.Statement:
        return cm.ListProperties(span=span_of(c))

    def list_topics(self, c: Children) -> s.Statement:
        return cm.ListTopics(has(c, "ALL"), has(c, "EXTENDED"), span=span_of(c))

    def list_streams(self, c: Children) -> s.Statement:
        return cm.ListStreams(has(c, "EXTENDED"), span=span_of(c))

    def list_tables(self, c: Children) -> s.Statement:
        return cm.ListTables(has(c, "EXTENDED"), span=span_of(c))

    def list_queries(self, c: Children) -> s.Statement:
        return cm.ListQueries(has(c, "EXTENDED"), span=span_of(c))

    def list_functions(self, c: Children) -> s.Statement:
        return cm.ListFunctions(span=span_of(c))

    def list_types(self, c: Children) -> s.Statement:
        return cm.ListTypes(span=span_of(c))

    def list_variables(self, c: Children) -> s.Statement:
        return cm.ListVariables(span=span_of(c))

    def list_connector_plugins(self, c: Children) -> s.Statement:
        return cm.ListConnectorPlugins(span=span_of(c))

    def list_connectors(self, c: Children) -> s.Statement:
        scope = s.ConnectorScope.ALL
        if has(c, "SOURCE"):
            scope = s.ConnectorScope.SOURCE
        elif has(c, "SINK"):
            scope = s.ConnectorScope.SINK
        return cm.ListConnectors(scope, span=span_of(c))

    def show_columns(self, c: Children) -> s.Statement:
        name = one(c, Name)
        if not name.quoted and name.text == "TABLES":
            # DESCRIBE TABLES lists tables, unless TABLES is quoted.
            return cm.DescribeTables(has(c, "EXTENDED"), span=span_of(c))
        return cm.ShowColumns(name.text, has(c, "EXTENDED"), span=span_of(c))

    def describe_streams(self, c: Children) -> s.Statement:
        return cm.DescribeStreams(has(c, "EXTENDED"), span=span_of(c))

    def describe_function(self, c: Children) -> s.Statement:
        return cm.DescribeFunction(one(c, Name).text, span=span_of(c))

    def describe_connector(self, c: Children) -> s.Statement:
        return cm.DescribeConnector(one(c, Name).text, span=span_of(c))

    def print_topic(self, c: Children) -> s.Statement:
        return cm.PrintTopic(
            one(c, str),
            from_beginning=has(c, "BEGINNING"),
            interval=clause(c, "interval"),
            limit=clause(c, "limit"),
            span=span_of(c),
        )

    def set_property(self, c: Children) -> s.Statement:
        return cm.SetProperty(string_value(c[1]), string_value(c[3]), span=span_of(c))

    def alter_system_property(self, c: Children) -> s.Statement:
        return cm.AlterSystemProperty(string_value(c[2]), string_value(c[4]), span=span_of(c))

    def unset_property(self, c: Children) -> s.Statement:
        return cm.UnsetProperty(string_value(c[1]), span=span_of(c))

    def define_variable(self, c: Children) -> s.Statement:
        return cm.DefineVariable(c[1], string_value(c[3]), span=span_of(c))

    def undefine_variable(self, c: Children) -> s.Statement:
        return cm.UndefineVariable(c[1], span=span_of(c))

    def run_script(self, c: Children) -> s.Statement:
        return cm.RunScript(string_value(c[2]), span=span_of(c))

    def assert_topic(self, c: Children) -> s.Statement:
        return cm.AssertTopic(
            one(c, str),
            _properties(c),
            clause(c, "timeout"),
            exists=not has(c, "NOT"),
            span=span_of(c),
        )

    def assert_schema(self, c: Children) -> s.Statement:
        span = span_of(c)
        subject = opt(c, str)
        literal = opt(c, e.Literal)
        if subject is None and literal is None:
            # (sic) ksqlDB's wording.
            message = "ASSERT SCHEMA statements much include a subject name or an id"
            raise prepare_error(message, span)
        schema_id = None
        if literal is not None:
            if not isinstance(literal, e.IntegerLiteral):
                raise prepare_error("ID must be an integer", literal.span)
            schema_id = literal.value
        return cm.AssertSchema(
            subject, schema_id, clause(c, "timeout"), exists=not has(c, "NOT"), span=span
        )

    def assert_values(self, c: Children) -> s.Statement:
        return cm.AssertValues(
            one(c, Name).text, clause(c, "columns") or (), clause(c, "values"), span=span_of(c)
        )

    def assert_tombstone(self, c: Children) -> s.Statement:
        return cm.AssertTombstone(
            one(c, Name).text, clause(c, "columns") or (), clause(c, "values"), span=span_of(c)
        )

    def assert_stream(self, c: Children) -> s.Statement:
        return cm.AssertSource(self._create_source(s.CreateStream, c), span=span_of(c))

    def assert_table(self, c: Children) -> s.Statement:
        return cm.AssertSource(self._create_source(s.CreateTable, c), span=span_of(c))


def _show(literal: e.Literal) -> str:
    """A literal as ksqlDB prints it in messages: strings quoted."""
    if isinstance(literal, e.StringLiteral):
        return "'" + literal.value.replace("'", "''") + "'"
    value = getattr(literal, "value", None)
    if isinstance(value, bool):
        return str(value).lower()
    return "null" if value is None else str(value)

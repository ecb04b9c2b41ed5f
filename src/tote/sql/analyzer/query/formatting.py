"""A CREATE ... AS SELECT the way ksqlDB prints its rewritten form (SqlFormatter).

ksqlDB's errors from planning a query quote the statement after its rewrites: columns
qualified by source, every SELECT item aliased, one item per line. Only single-source
queries are formatted; for joins the statement text is used as written.
"""

from __future__ import annotations

from tote.sql.analyzer.query.relations import Relations
from tote.sql.analyzer.query.rewrite import qualify, text
from tote.sql.analyzer.query.select import AliasGenerator, name_items
from tote.sql.ast.expressions import Literal, StringLiteral
from tote.sql.ast.queries import AllColumns, SingleColumn
from tote.sql.ast.statements import CreateAsSelect, CreateTableAsSelect, Properties
from tote.sql.expressions.formatter import format_expression


def _properties(props: Properties) -> str:
    def literal(value: Literal) -> str:
        if isinstance(value, StringLiteral):
            return "'" + value.value.replace("'", "''") + "'"
        return format_expression(value)

    return ", ".join(f"{p.name}={literal(p.value)}" for p in props)


def format_create_as(statement: CreateAsSelect, relations: Relations) -> str | None:
    """The rewritten statement text, or None when it cannot be formatted (joins)."""
    if relations.is_join:
        return None
    source = relations.sources[0]
    owners = {c.name: [source.alias] for c in source.source.columns}
    query = statement.query
    names = [c.name for c in source.source.columns]
    items = name_items([SingleColumn(qualify(i.expression, owners), i.alias, span=i.span)
                        if isinstance(i, SingleColumn) else i for i in query.select],
                       AliasGenerator(names), set(), persistent=False)
    lines: list[str] = []
    for item in items:
        if isinstance(item, SingleColumn):
            lines.append(f"{text(item.expression)} {item.alias}")
        elif isinstance(item, AllColumns):
            lines.append(f"{item.source}.*" if item.source else "*")
        else:
            return None
    kind = "TABLE" if isinstance(statement, CreateTableAsSelect) else "STREAM"
    head = f"CREATE {kind} {statement.name}"
    if len(statement.properties):
        head += f" WITH ({_properties(statement.properties)})"
    out = [head + " AS SELECT", ",\n".join("  " + line for line in lines),
           f"FROM {source.source.name} {source.alias}"]
    if query.where is not None:
        out.append(f"WHERE {text(qualify(query.where, owners))}")
    if query.group_by:
        out.append("GROUP BY " + ", ".join(text(qualify(g, owners)) for g in query.group_by))
    if query.partition_by:
        out.append("PARTITION BY " + ", ".join(text(qualify(p, owners))
                                               for p in query.partition_by))
    if query.having is not None:
        out.append(f"HAVING {text(qualify(query.having, owners))}")
    out.append("EMIT CHANGES")
    return "\n".join(out)

"""EXPLAIN: the logical plan as an indented tree, and the physical plan's sub-topologies
with their topics and state stores (the names the runtime uses)."""

from __future__ import annotations

from tote.sql.expressions.formatter import format_expression
from tote.sql.planner.logical import (
    AggregateNode,
    FilterNode,
    FlatMapNode,
    JoinNode,
    Node,
    ProjectNode,
    RekeyNode,
    SinkNode,
    SourceNode,
)
from tote.sql.planner.physical import PhysicalPlan, is_boundary
from tote.sql.planner.windows import WindowSpec, join_window_spec, window_spec


def _window(spec: WindowSpec) -> str:
    if spec.is_session:
        size = f"gap {spec.size} ms"
    elif spec.advance != spec.size:
        size = f"size {spec.size} ms, advance {spec.advance} ms"
    else:
        size = f"size {spec.size} ms"
    return (f"window {spec.type.value} ({size}, grace {spec.grace} ms, "
            f"retention {spec.retention} ms)")


def _describe(node: Node) -> str:
    schema = ", ".join([f"{c.name} {c.type} KEY" for c in node.schema.key]
                       + [f"{c.name} {c.type}" for c in node.schema.value])
    if isinstance(node, SourceNode):
        detail = f"source {node.source.name} AS {node.alias}, topic {node.source.topic}"
    elif isinstance(node, FilterNode):
        detail = f"filter {format_expression(node.predicate)}"
    elif isinstance(node, RekeyNode):
        keys = ", ".join(format_expression(k) for k in node.keys) or "NULL"
        detail = f"key by {keys}" + (" (repartition)" if node.repartition else "")
    elif isinstance(node, AggregateNode):
        detail = "aggregate " + ", ".join(format_expression(a.call) for a in node.aggregates)
        if node.window is not None:
            detail += " " + _window(window_spec(node.window, final=node.emit_final))
        if node.emit_final:
            detail += " emit final"
    elif isinstance(node, JoinNode):
        detail = f"{node.kind} {node.type.value} join"
        if node.within is not None:
            spec = join_window_spec(node.within)
            detail += (f" within ({spec.before} ms, {spec.after} ms), grace {spec.grace} ms")
    elif isinstance(node, FlatMapNode):
        detail = "flat map " + ", ".join(format_expression(c) for c in node.calls)
    elif isinstance(node, ProjectNode):
        detail = "project " + ", ".join(format_expression(e) for e in node.expressions)
    elif isinstance(node, SinkNode):
        detail = f"sink {node.target.name}, topic {node.target.topic}"
    else:
        detail = type(node).__name__
    kind = "TABLE" if node.is_table else "STREAM"
    return f"[ {node.id} | {kind} | {detail} | Schema: {schema} ]"


def _tree(node: Node, depth: int, lines: list[str]) -> None:
    lines.append(" " * (depth * 4) + ("> " if depth else "") + _describe(node))
    for child in node.inputs:
        _tree(child, depth + 1, lines)


def explain_plan(plan: PhysicalPlan) -> tuple[str, str]:
    logical: list[str] = []
    _tree(plan.root, 0, logical)
    physical: list[str] = [f"Application id: {plan.app_id}"]
    for sub in plan.subtopologies:
        reads = ", ".join(i.topic for i in sub.inputs)
        root = sub.root
        if is_boundary(root):
            assert isinstance(root, RekeyNode)
            writes = plan.repartition_topic(root)
        else:
            assert isinstance(root, SinkNode)
            writes = root.target.topic
        physical.append(f"Sub-topology {sub.index}: reads [{reads}] -> writes {writes}")
    if plan.stores:
        physical.append("State stores: " + ", ".join(plan.stores))
    return "\n".join(logical), "\n".join(physical)

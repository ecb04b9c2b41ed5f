"""The physical plan: a query's logical tree cut into sub-topologies at repartition topics.

Names follow ksqlDB so that what EXPLAIN shows, and what exists on the log, reads like a
ksqlDB deployment: the query's application id is `_confluent-ksql-<service id>query_<ID>`,
its repartition topics `<app id>-<step id>-repartition`, its state stores
`<app id>-<step id>-<kind>`. The same statement always yields the same names, which is what
lets a restarted engine find its offsets and state again.

A sub-topology reads some topics (sources, or repartition topics written by another
sub-topology of the same query) and ends in the sink or in a repartition topic. The
runtime runs one task per sub-topology and input partition.
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.sql.planner.logical import Node, RekeyNode, SinkNode, SourceNode, walk


@dataclass(frozen=True, slots=True)
class Input:
    """A topic a sub-topology reads, and the node that reads it."""

    topic: str
    node_id: str
    internal: bool


@dataclass(frozen=True)
class SubTopology:
    index: int
    root: Node
    inputs: tuple[Input, ...]


@dataclass(frozen=True)
class PhysicalPlan:
    query_id: str
    app_id: str
    root: SinkNode
    subtopologies: tuple[SubTopology, ...]
    internal_topics: tuple[str, ...]
    stores: tuple[str, ...]

    def repartition_topic(self, node: RekeyNode) -> str:
        return repartition_topic(self.app_id, node)

    def store(self, node_id: str, kind: str, partition: int) -> str:
        return f"{self.app_id}-{node_id}-{kind}.{partition}"


def app_id(service_id: str, query_id: str) -> str:
    return f"_confluent-ksql-{service_id}query_{query_id}"


def repartition_topic(app: str, node: RekeyNode) -> str:
    return f"{app}-{node.id}-{node.topic_suffix}"


def is_boundary(node: Node) -> bool:
    """Whether a node's output leaves its sub-topology through a topic."""
    return isinstance(node, RekeyNode) and node.repartition


def plan(query_id: str, service_id: str, root: SinkNode) -> PhysicalPlan:
    app = app_id(service_id, query_id)
    # Boundaries in walk order (inputs first), then the sink: indices follow the data.
    roots: list[Node] = [n for n in walk(root) if is_boundary(n)] + [root]
    subtopologies: list[SubTopology] = []
    for index, sub_root in enumerate(roots):
        inputs = tuple(_inputs(sub_root, app, top=True))
        subtopologies.append(SubTopology(index, sub_root, inputs))
    internal = tuple(repartition_topic(app, n) for n in walk(root)
                     if isinstance(n, RekeyNode) and n.repartition)
    stores = tuple(sorted({f"{app}-{node_id}" for node_id in _stateful(root)}))
    return PhysicalPlan(query_id, app, root, tuple(subtopologies), internal, stores)


def _inputs(node: Node, app: str, top: bool) -> list[Input]:
    if isinstance(node, SourceNode):
        return [Input(node.source.topic, node.id, False)]
    if is_boundary(node) and not top:
        assert isinstance(node, RekeyNode)
        return [Input(repartition_topic(app, node), node.id, True)]
    out: list[Input] = []
    for child in node.inputs:
        out.extend(_inputs(child, app, top=False))
    return out


def _stateful(root: Node) -> list[str]:
    from tote.sql.planner.logical import AggregateNode, JoinNode

    ids: list[str] = []
    for node in walk(root):
        if isinstance(node, AggregateNode):
            ids.append(f"{node.id}-Aggregate-Materialize")
        elif isinstance(node, JoinNode) and node.kind == "foreign-key":
            ids.append(f"{node.id}-subscription-store")
            ids.append(f"{node.id}-right-store")
        elif isinstance(node, RekeyNode) and node.topic_suffix == "subscription-response-topic":
            ids.append(f"{node.id}-result-store")
        elif isinstance(node, JoinNode) and node.kind == "stream-stream":
            ids.append(f"{node.id}-left-window-store")
            ids.append(f"{node.id}-right-window-store")
        elif isinstance(node, JoinNode):
            ids.append(f"{node.id}-left-store")
            ids.append(f"{node.id}-right-store")
        elif isinstance(node, SourceNode) and node.is_table:
            ids.append(f"{node.id}-Reduce")
    return ids

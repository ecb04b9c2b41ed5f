"""The plan of a foreign-key table-table join (ksqlDB 0.19+, Kafka Streams' FK join).

    left table ──▶ Subscribe ──(subscription topic, by foreign key)──▶ JoinNode
    right table ─────────────────────────────────────────────────────▶ (kind "foreign-key")
                          ──(response topic, by left key)──▶ Respond ──▶ rest of the query

The left row travels to the partition of the right row it references (co-partitioned
with the right table's topic), is joined there, and the result travels back to the
partition of the left key, where the rest of the query (a sink, or further key joins)
sees it keyed like the left table. Both hops are repartition-like topics, so the
physical planner cuts the query at them like at any re-key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tote.sql.ast.expressions import ColumnRef, Expression
from tote.sql.ast.queries import JoinType
from tote.sql.planner.logical import JoinNode, Node, RekeyNode, SourceNode
from tote.sql.planner.schema import Col, Schema

SUBSCRIPTION_SUFFIX = "subscription-registration-topic"
RESPONSE_SUFFIX = "subscription-response-topic"


@dataclass(frozen=True)
class SubscribeNode(RekeyNode):
    """Left side: send each left-table change to the partition of its foreign key
    (`keys[0]`, an expression over the left row), as the right table's key format would
    place it (`right` is the right table's source node)."""

    topic_suffix: ClassVar[str] = SUBSCRIPTION_SUFFIX
    right: SourceNode | None = None
    join_type: JoinType = JoinType.INNER


@dataclass(frozen=True)
class RespondNode(RekeyNode):
    """Right side back to the left: join results go to the partition of their left key
    (`left` is the left table's source node, whose key format places it)."""

    topic_suffix: ClassVar[str] = RESPONSE_SUFFIX
    left: SourceNode | None = None


def foreign_key_join(
    node_id: str, left: SourceNode, right: SourceNode, foreign_key: Expression, join_type: JoinType
) -> RespondNode:
    """The plan fragment of `left [LEFT] JOIN right ON foreign_key = right's key`: keyed
    by the left table's key (named `ALIAS_COLUMN`), values = left values + right values."""
    subscribe = SubscribeNode(
        node_id + "-subscribe",
        left.schema,
        True,
        left,
        (foreign_key,),
        (False,),
        True,
        right=right,
        join_type=join_type,
    )
    keys = tuple(
        Col(f"{c.qualifier}_{c.name}" if c.qualifier else c.name, c.type, None)
        for c in left.schema.key
    )
    values = left.schema.value + right.schema.value
    schema = Schema(keys, values, left.schema.key_groups())
    join = JoinNode(node_id, schema, True, subscribe, right, join_type, "foreign-key")
    key_refs = tuple(_ref(left.schema.value[slot]) for slot in left.schema.key_slots())
    return RespondNode(
        node_id + "-respond",
        schema,
        True,
        join,
        key_refs,
        tuple(False for _ in key_refs),
        True,
        left=left,
    )


def _ref(col: Col) -> Expression:
    return ColumnRef(col.name, col.qualifier)


def foreign_key_of(join: JoinNode) -> Expression:
    """The foreign-key expression of a "foreign-key" join node."""
    subscribe = join.left
    assert isinstance(subscribe, SubscribeNode)
    return subscribe.keys[0]


def is_foreign_key_join(node: Node) -> bool:
    return isinstance(node, JoinNode) and node.kind == "foreign-key"

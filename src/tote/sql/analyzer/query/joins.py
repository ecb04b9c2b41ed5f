"""Join trees: ksqlDB's left-deep n-way joins, their validation and their keys.

Each join step joins everything before it (left) with one new source (right). A side
whose join expression is not already its key is re-keyed through a repartition topic
(only streams can be). The join's key is equal to every column of its "equivalence set";
the first of those the projection selects names the key (`ALIAS_COLUMN`), and a FULL
OUTER join, or one whose criteria match no source column, gets a synthetic key column
(`ROWKEY`, numbered past any source column of that name) holding the join key.
A table-table join whose left expression is not the left key is a foreign-key join
(`planner.foreign_key`): keyed by the left table's key, only as the first join.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tote.core.types import SqlType
from tote.sql.analyzer.query.relations import JOIN_TYPE_TEXT, AliasedSource, JoinStep, Relations
from tote.sql.analyzer.query.rewrite import text
from tote.sql.analyzer.query.select import AliasGenerator
from tote.sql.ast.expressions import ColumnRef, Expression
from tote.sql.ast.queries import JoinType
from tote.sql.errors import StatementError
from tote.sql.formats import check_no_map_key
from tote.sql.planner.foreign_key import RespondNode, foreign_key_join
from tote.sql.planner.logical import JoinNode, Node, RekeyNode, SourceNode
from tote.sql.planner.schema import Col, Schema, source_schema
from tote.sql.sources import WINDOW_BOUNDS

TypeOf = Callable[[Expression, Schema], SqlType]
Contains = Callable[[Expression], bool]
# What an inner join's synthetic key column is renamed to once an outer one replaces it.
_HIDDEN_ROWKEY = "$ROWKEY"


@dataclass(frozen=True)
class JoinTree:
    node: Node
    equivalence: frozenset[Expression]
    viable: tuple[ColumnRef, ...]
    original_viable: tuple[ColumnRef, ...]
    synthetic: bool
    leftmost: AliasedSource
    partitions_source: AliasedSource
    # The name of a synthetic key column (ksqlDB's generateSyntheticJoinKey).
    synthetic_name: str = "ROWKEY"
    # The last join is a foreign-key join: keyed by every key column of `leftmost`.
    foreign_key: bool = False


def build_joins(relations: Relations, contains: Contains, type_of: TypeOf,
                partitions: Callable[[AliasedSource], int]) -> JoinTree:
    first = relations.sources[0]
    count = len(relations.joins)
    names = AliasGenerator(c.name for s in relations.sources for c in s.source.columns)
    tree = JoinTree(_leaf(first, _prefix(count, 0) + "KafkaTopic_Left"), frozenset(), (), (),
                    False, first, first, names.take("ROWKEY"))
    for index, step in enumerate(relations.joins):
        tree = _join(tree, step, _prefix(count, index + 1), contains=contains,
                     type_of=type_of, partitions=partitions)
    return tree


def _prefix(count: int, level: int) -> str:
    """ksqlDB names the innermost join `L_L_..Join` and the outermost `Join`."""
    return "L_" * (count - max(level, 1))


def _leaf(source: AliasedSource, node_id: str) -> SourceNode:
    return SourceNode(node_id, source_schema(source.source, source.alias),
                      source.source.is_table, source.source, source.alias)


def _kind(left: Node, right: SourceNode, step: JoinStep, left_name: str) -> str:
    right_name = step.right.source.name
    kind_text = JOIN_TYPE_TEXT[step.type]
    if not left.is_table:
        if not right.is_table:
            return "stream-stream"
        if step.type is JoinType.OUTER:
            raise StatementError(
                "Invalid join type: full-outer join not supported for stream-table join. "
                f"Got {left_name} {kind_text} JOIN {right_name}.")
        return "stream-table"
    if not right.is_table:
        raise StatementError(
            "Invalid join order: table-stream joins are not supported; only stream-table "
            f"joins. Got {left_name} {kind_text} JOIN {right_name}.")
    return "table-table"


def _is_key_ref(expr: Expression, node: Node) -> bool:
    """Whether `expr` is a plain reference to the (single) key of `node`."""
    if not isinstance(expr, ColumnRef) or len(node.schema.key) != 1:
        return False
    try:
        slot = node.schema.scope().resolve(expr).slot
    except Exception:  # noqa: BLE001 - unknown columns are reported by typing later
        return False
    return slot in node.schema.key_groups()[0]


def _join(tree: JoinTree, step: JoinStep, prefix: str, *, contains: Contains,
          type_of: TypeOf, partitions: Callable[[AliasedSource], int]) -> JoinTree:
    left = tree.node
    right: Node = _leaf(step.right, prefix + "KafkaTopic_Right")
    assert isinstance(right, SourceNode)
    left_source = next((s.source.name for s in _sources(tree) if s.alias == step.left_alias),
                       tree.leftmost.source.name)
    kind = _kind(left, right, step, left_source)
    written = f"{text(step.written.left)} = {text(step.written.right)}"
    if kind in ("stream-table", "table-table") and not _is_key_ref(step.right_expr, right):
        if kind == "stream-table":
            raise StatementError(
                "Invalid join condition: stream-table joins require to join on the table's "
                f"primary key. Got {written}.")
        raise StatementError(
            "Invalid join condition: table-table joins require to join on the primary key of "
            f"the right input table. Got {written}.")
    if step.type is JoinType.RIGHT and kind not in {"stream-stream", "table-table"}:
        raise StatementError("RIGHT OUTER JOIN is only supported for stream-stream and "
                             "table-table joins.")
    if kind == "stream-stream" and step.within is None:
        raise StatementError(
            "Stream-Stream joins must have a WITHIN clause specified. None was provided. To "
            "learn about how to specify a WITHIN clause with a stream-stream join, please "
            "visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html"
            "#create-stream-as-select")
    if kind != "stream-stream" and step.within is not None:
        shown = "Stream-Table" if kind == "stream-table" else "Table-Table"
        raise StatementError(
            f"A window definition was provided for a {shown} join. These joins are not "
            "windowed. Please drop the window definition (ie. the WITHIN clause) and try to "
            "execute your join again.")
    _check_windowed_keys(tree.leftmost, step.right)
    left_in_set = step.left_expr in tree.equivalence
    rekey_left = not left_in_set and not _is_key_ref(step.left_expr, left)
    rekey_right = kind == "stream-stream" and not _is_key_ref(step.right_expr, right)
    if rekey_left:
        if left.is_table:
            return _foreign_key(tree, step, prefix, left=left, right=right, written=written,
                                type_of=type_of)
        _no_windowed_repartition(tree.leftmost)
        partner = None if rekey_right else right
        left = _rekey(left, step.left_expr, prefix + "Join-left", type_of, partner)
    elif kind == "table-table":
        _check_key_types(step, left.schema.key[0].type, right.schema.key[0].type)
    if rekey_right:
        _no_windowed_repartition(step.right)
        partner = left if not rekey_left and isinstance(left, SourceNode) else None
        right = _rekey(right, step.right_expr, prefix + "Join-right", type_of, partner)
    left_parts = partitions(tree.partitions_source)
    right_parts = partitions(step.right)
    if left_parts != right_parts:
        raise StatementError(
            f"Can't join `{tree.leftmost.alias}` with `{step.right.alias}` since the number of "
            f"partitions don't match. `{tree.leftmost.alias}` partitions = {left_parts}; "
            f"`{step.right.alias}` partitions = {right_parts}. Please repartition either one "
            "so that the number of partitions match.")
    keys = frozenset({step.left_expr, step.right_expr})
    equivalence = keys | tree.equivalence if tree.equivalence & keys else keys
    candidates: list[Expression] = [*tree.viable, step.left_expr, step.right_expr]
    viable: list[ColumnRef] = []
    for cand in candidates:
        if isinstance(cand, ColumnRef) and cand in equivalence and cand not in viable:
            viable.append(cand)
    if step.type is JoinType.OUTER:
        # Either side may be null: no column is known to equal the synthetic key.
        viable = []
        equivalence = frozenset()
    synthetic = not viable
    key_type = type_of(step.left_expr, left.schema)
    values = list(left.schema.value) + list(right.schema.value)
    groups: tuple[tuple[int, ...], ...]
    if synthetic:
        # An inner join's synthetic key is no longer the key: only the new one is visible.
        key_name = tree.synthetic_name
        values = [Col(_HIDDEN_ROWKEY, c.type, None) if c.name == key_name and
                  c.qualifier is None else c for c in values]
        values.append(Col(key_name, key_type, None))
        groups = ((len(values) - 1,),)
    else:
        joined = Schema((), tuple(values))
        chosen = next((ref for ref in viable if contains(ref)), viable[0])
        groups = ((joined.scope().resolve(chosen).slot,),)
        key_name = f"{chosen.source}_{chosen.name}"
    schema = Schema((Col(key_name, key_type, None),), tuple(values), groups)
    node = JoinNode(prefix + "Join", schema, kind == "table-table", left, right, step.type,
                    kind, step.within, synthetic)
    return JoinTree(node, frozenset(equivalence), tuple(viable), tuple(viable), synthetic,
                    tree.leftmost, step.right, tree.synthetic_name)


_REPARTITION_WINDOWED = ("Implicit repartitioning of windowed sources is not supported. See "
                         "https://github.com/confluentinc/ksql/issues/4385.")
# Key formats whose joins ksqlDB always repartitions (to register a common key schema).
_SR_KEY_FORMATS = frozenset({"AVRO", "JSON_SR", "PROTOBUF", "PROTOBUF_NOSR"})


def _no_windowed_repartition(side: AliasedSource) -> None:
    if side.source.window is not None:
        raise StatementError(_REPARTITION_WINDOWED)


def _check_windowed_keys(left: AliasedSource, right: AliasedSource) -> None:
    """Windowed sides with different windowed key formats would need re-keying to match,
    which ksqlDB cannot do for windowed keys (unless the format is Schema-Registry-based,
    where it re-partitions both sides anyway)."""
    lw, rw = left.source.window, right.source.window
    if lw is None or rw is None or lw == rw:
        return
    formats = {left.source.key_format.name, right.source.key_format.name}
    if not formats <= _SR_KEY_FORMATS:
        raise StatementError(_REPARTITION_WINDOWED)


def _check_key_types(step: JoinStep, left_type: SqlType, right_type: SqlType) -> None:
    """A table-table join matches keys as they are: both sides must have one type
    (shown in the order the criteria was written)."""
    if left_type == right_type:
        return
    flipped = step.written.left != step.left_expr
    shown = [(text(step.written.left), right_type if flipped else left_type),
             (text(step.written.right), left_type if flipped else right_type)]
    raise StatementError(
        "Invalid join condition: types don't match. Got "
        f"{shown[0][0]}{{{shown[0][1]}}} = {shown[1][0]}{{{shown[1][1]}}}.")


def _foreign_key(tree: JoinTree, step: JoinStep, prefix: str, *, left: Node,
                 right: SourceNode, written: str, type_of: TypeOf) -> JoinTree:
    """A table-table join whose left expression is not the left key (ksqlDB's
    verifyForeignKeyJoin, in its order of checks)."""
    if step.type is JoinType.OUTER:
        raise StatementError(
            "Invalid join type: full-outer join not supported for foreign-key table-table "
            f"join. Got {tree.leftmost.source.name} {JOIN_TYPE_TEXT[step.type]} JOIN "
            f"{step.right.source.name}.")
    if not isinstance(left, SourceNode):
        raise StatementError(
            "Invalid join condition: foreign-key table-table joins are not supported as part "
            f"of n-way joins. Got {written}.")
    _check_key_types(step, type_of(step.left_expr, left.schema), right.schema.key[0].type)
    if step.right.source.window is not None:
        raise StatementError(
            "Foreign-key table-table joins are not supported on windowed tables.")
    if step.type is JoinType.RIGHT:
        raise StatementError("RIGHT OUTER JOIN on a foreign key is not supported")
    node = foreign_key_join(prefix + "Join", left, right, step.left_expr, step.type)
    keys = tuple(ColumnRef(c.name, tree.leftmost.alias)
                 for c in tree.leftmost.source.key_columns)
    equivalence = frozenset(keys) if len(keys) == 1 else frozenset()
    return JoinTree(node, equivalence, keys, keys, False, tree.leftmost, tree.leftmost,
                    tree.synthetic_name, foreign_key=True)


def _sources(tree: JoinTree) -> list[AliasedSource]:
    out = [tree.leftmost]
    node = tree.node
    if isinstance(node, RespondNode):
        node = node.input
    while isinstance(node, JoinNode):
        right = node.right.input if isinstance(node.right, RekeyNode) else node.right
        if isinstance(right, SourceNode):
            out.append(AliasedSource(right.alias, right.source))
        node = node.left.input if isinstance(node.left, RekeyNode) else node.left
    return out


def _rekey(node: Node, expr: Expression, node_id: str, type_of: TypeOf,
           partner: SourceNode | None) -> RekeyNode:
    """Re-key a join input by its join expression (through a repartition topic), placed
    where `partner`'s records of the same key are (both inputs re-keyed: either way)."""
    if isinstance(expr, ColumnRef):
        binding = node.schema.scope().resolve(expr)
        col = node.schema.value[binding.slot]
        check_no_map_key(f"{col.qualifier}_{col.name}" if col.qualifier else col.name,
                         col.type)
        schema = Schema((col,), node.schema.value, ((binding.slot,),))
        return RekeyNode(node_id, schema, node.is_table, node, (expr,), (False,), True,
                         partner)
    key_type = type_of(expr, node.schema)
    check_no_map_key("KSQL_COL_0", key_type)
    appended = Col("KSQL_COL_0", key_type, None)
    values = (*node.schema.value, appended)
    schema = Schema((appended,), values, ((len(values) - 1,),))
    return RekeyNode(node_id, schema, node.is_table, node, (expr,), (True,), True, partner)


def star_columns(relations: Relations, synthetic: str | None,
                 only: str | None) -> list[tuple[str, ColumnRef]]:
    """What `*` / `alias.*` selects from a join: the synthetic key column (named
    `synthetic`, if any), then each source's columns as `ALIAS_COL`."""
    out: list[tuple[str, ColumnRef]] = []
    if synthetic is not None and only is None:
        out.append((synthetic, ColumnRef(synthetic)))
    for src in relations.sources:
        if only is not None and src.alias != only:
            continue
        for name in source_star_names(src):
            out.append((f"{src.alias}_{name}", ColumnRef(name, src.alias)))
    return out


def partitioned_star_columns(node: RekeyNode, only: str | None
                             ) -> list[tuple[str, ColumnRef]]:
    """What `*` selects from a join re-partitioned by PARTITION BY: the new key, then every
    column the join carries (pseudo columns included, as `ALIAS_ROWTIME`...), as ksqlDB
    expands it from the re-partitioned schema."""
    keys = {slot for group in node.schema.key_groups() for slot in group}
    out: list[tuple[str, ColumnRef]] = []
    for slot in node.schema.key_slots():
        col = node.schema.value[slot]
        if only is not None and col.qualifier not in (None, only):
            continue
        name = f"{col.qualifier}_{col.name}" if col.qualifier else col.name
        out.append((name, ColumnRef(col.name, col.qualifier)))
    for slot, col in enumerate(node.schema.value):
        if col.qualifier is None or slot in keys or (only is not None and
                                                     col.qualifier != only):
            continue
        out.append((f"{col.qualifier}_{col.name}", ColumnRef(col.name, col.qualifier)))
    return out


def source_star_names(src: AliasedSource) -> Sequence[str]:
    """A joined source's columns for `*`: keys, window bounds (of a windowed source),
    values, headers."""
    source = src.source
    bounds = list(WINDOW_BOUNDS) if source.window is not None else []
    return [c.name for c in source.key_columns] + bounds + [
        c.name for c in source.query_value_columns] + [c.name for c in source.header_columns]

"""How the input of the final projection is keyed, and the checks ksqlDB makes on it.

Every key column of the projection's input must be selected exactly once, as a plain
column reference (or, after a join, as any column equal to the join key); the alias it
is selected under names the sink's key column. What "selected" means and the wording
when it is not depends on where the key came from: the source, PARTITION BY, GROUP BY or
a join.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tote.sql.analyzer.query.rewrite import text
from tote.sql.ast.expressions import ColumnRef, Expression


@dataclass(frozen=True)
class KeyOrigin:
    """`kind`: "source", "partition", "group", "join", "foreign-key" or "none" (key-less).

    `required` are the expressions named when keys are missing; `require_all` is False
    for joins, where any of the equivalent join columns will do.
    """

    kind: str
    required: tuple[Expression, ...] = ()
    require_all: bool = True
    synthetic: bool = False
    names: tuple[str, ...] = field(default=())


_TYPES = {"source": "key column", "partition": "partitioning expression",
          "group": "grouping expression", "join": "join expression"}


def _join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def missing_keys_message(sink: str, origin: KeyOrigin) -> str:
    """ksqlDB's 'Key(s) missing from projection' error."""
    required = [text(e) for e in origin.required]
    kind = _TYPES[origin.kind]
    plural_keys = origin.require_all and len(required) > 1
    types = kind + ("" if len(required) == 1 else "s")
    joined = _join_and(required) if origin.require_all else _join_or(required)
    example = ", ".join(required) if origin.require_all else required[0]
    extra1 = ""
    extra2 = ""
    if origin.synthetic:
        extra1 = "See https://cnfl.io/2LV7ouS."
        extra2 = (f"\n{required[0]} was added as a synthetic key column because the join "
                  "criteria did not match any source column. This expression must be "
                  "included in the projection and may be aliased. ")
    return (f"Key{'s' if plural_keys else ''} missing from projection (ie, SELECT). {extra1}\n"
            f"The query used to build `{sink}` must include the {types} {joined} in its "
            f"projection (eg, SELECT {example}...).{extra2}")


def foreign_key_missing_message(origin: KeyOrigin, missing: Sequence[int]) -> str:
    """ksqlDB's error when a foreign-key join's projection lacks a left key column:
    `origin.required` are the left table's key columns, `origin.names[0]` its alias."""
    plural = len(missing) > 1
    noun = "columns" if plural else "column"
    refs = [origin.required[i] for i in missing]
    names = ", ".join(f"`{r.name if isinstance(r, ColumnRef) else text(r)}`" for r in refs)
    return (f"Primary key {noun} missing in projection. For foreign-key table-table joins, "
            "the projection must include all primary key columns from the left input table "
            f"(`{origin.names[0]}`). Missing {noun}: {names}.")


def duplicate_key_message(key: str, aliases: Sequence[str]) -> str:
    return (f"The projection contains a key column (`{key}`) more than once, aliased as: "
            f"{_join_and(sorted(aliases))}.\nEach key column must only be in the projection "
            "once. If you intended to copy the key into the value, then consider using the "
            "AS_VALUE function to indicate which key reference should be copied.")


def duplicate_group_key_message(aliases: Sequence[str]) -> str:
    quoted = [f"`{a}`" for a in aliases]
    return (f"The projection contains a key column more than once: {_join_and(quoted)}.\n"
            "Each key column must only be in the projection once. If you intended to copy the "
            "key into the value, then consider using the AS_VALUE function to indicate which "
            "key reference should be copied.")

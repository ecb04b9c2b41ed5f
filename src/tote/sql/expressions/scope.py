"""Which columns an expression can see, and where each lives in the runtime row.

The analyzer builds one `Scope` per clause from the sources of a query; the type checker
and the compiler resolve every `ColumnRef` through it, so `row[slot]` in the generated code
always matches the column's declared type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tote.core.errors import SqlError
from tote.core.types import SqlType
from tote.sql.ast.expressions import ColumnRef
from tote.sql.expressions.formatter import format_expression, quote_name


@dataclass(frozen=True, slots=True)
class Binding:
    """A column visible to an expression."""

    name: str
    qualifier: str | None
    type: SqlType
    slot: int


class Scope:
    """Resolves column references, with ksqlDB's messages for unknown and ambiguous ones.

    `clause` (e.g. "SELECT", "WHERE") prefixes the unknown-column message as ksqlDB does:
    `WHERE column 'BOB' cannot be resolved.`
    """

    def __init__(self, bindings: Sequence[Binding], *, clause: str = "") -> None:
        self.bindings = tuple(bindings)
        self.clause = clause
        self._by_name: dict[str, list[Binding]] = {}
        for binding in self.bindings:
            self._by_name.setdefault(binding.name, []).append(binding)

    def resolve(self, ref: ColumnRef) -> Binding:
        candidates = self._by_name.get(ref.name, [])
        if ref.source is not None:
            candidates = [b for b in candidates if b.qualifier == ref.source]
        if not candidates:
            raise self._error(ref, "cannot be resolved.")
        if len(candidates) > 1:
            distinct_sources = {b.qualifier for b in candidates}
            if len(distinct_sources) == 1:
                return candidates[0]
            options = sorted(
                f"{quote_name(b.qualifier)}.{quote_name(b.name)}"
                if b.qualifier
                else quote_name(b.name)
                for b in candidates
            )
            raise self._error(ref, "is ambiguous. Could be " + _join_or(options) + ".", prefix="")
        return candidates[0]

    def _error(self, ref: ColumnRef, problem: str, prefix: str | None = None) -> SqlError:
        clause = self.clause if prefix is None else prefix
        where = f"Line: {ref.span.line}, Col: {ref.span.column}: " if ref.span.line else ""
        lead = f"{clause} column" if clause else "Column"
        return SqlError(
            f"{where}{lead} '{format_expression(ref)}' {problem}",
            line=ref.span.line or None,
            column=ref.span.column or None,
            span=(ref.span.start, ref.span.end) if ref.span.line else None,
        )


def _join_or(items: Sequence[str]) -> str:
    """ksqlDB's GrammaticalJoiner.or(): `a`, `a or b`, `a, b or c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]

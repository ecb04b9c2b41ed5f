"""The common type of a user list: `x IN (...)`, `ARRAY[...]`, the keys or values of `MAP(...)`.

ksqlDB resolves such lists in order, the first non-NULL item leading. Literals coerce
leniently (`true` or `10` become STRING where a STRING leads; `'10'` becomes a number where
a number leads), other expressions only widen (INT to BIGINT to DECIMAL to DOUBLE, STRING to
the time types and BYTES). ARRAY, MAP and STRUCT constructors are resolved element by
element against the type that leads, so `ARRAY['3', NULL]` fits an `ARRAY<BIGINT>`; STRUCTs
merge into the superset of their fields. A list that cannot agree is an
"operator does not exist" error naming both types and the offending item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from tote.core import types as t
from tote.core.errors import SqlError
from tote.core.types import Base, SqlType
from tote.sql.ast import expressions as e
from tote.sql.expressions.errors import error_at
from tote.sql.expressions.formatter import format_expression as fmt
from tote.sql.expressions.typerules import decimal_literal_type
from tote.sql.functions.widening import FROM_STRING, can_widen, widen_decimals

TypeOf = Callable[[e.Expression], SqlType | None]

_LITERALS = (e.BooleanLiteral, e.IntegerLiteral, e.LongLiteral, e.DoubleLiteral,
             e.DecimalLiteral, e.StringLiteral)
_SAME_PASS = {Base.BOOLEAN, Base.INTEGER, Base.BIGINT, Base.DOUBLE, Base.STRING,
              Base.TIMESTAMP, Base.TIME, Base.DATE, Base.BYTES}
_WIDEN_PASS = {(Base.INTEGER, Base.BIGINT), (Base.INTEGER, Base.DOUBLE),
               (Base.BIGINT, Base.DOUBLE), (Base.DECIMAL, Base.DOUBLE),
               *((Base.STRING, target) for target in FROM_STRING)}
_TO_DECIMAL = {Base.INTEGER, Base.BIGINT, Base.DECIMAL}
_LAX_TO_STRING = {Base.BOOLEAN, Base.INTEGER, Base.BIGINT, Base.DECIMAL, Base.DOUBLE,
                  Base.TIMESTAMP, Base.TIME, Base.DATE}
_LAX_FROM_STRING = {Base.BOOLEAN, Base.INTEGER, Base.BIGINT, Base.DECIMAL, Base.DOUBLE}


class CoercionFailure(SqlError):
    """Two types of a user list that neither converts to (the outer list rewords it)."""


def can_coerce(source: SqlType, target: SqlType, lax: bool) -> SqlType | None:
    """The type holding both, converting `source` towards `target`, or None."""
    pair = (source.base, target.base)
    if (source.base is target.base and source.base in _SAME_PASS) or pair in _WIDEN_PASS:
        return target
    if target.base is Base.DECIMAL and source.base in _TO_DECIMAL:
        return widen_decimals(source, target)
    if source.base is target.base is Base.ARRAY:
        assert source.element is not None and target.element is not None
        element = can_coerce(source.element, target.element, lax)
        return None if element is None else t.array(element)
    if source.base is target.base is Base.MAP:
        assert source.key and source.value and target.key and target.value
        key = can_coerce(source.key, target.key, lax)
        value = can_coerce(source.value, target.value, lax)
        return None if key is None or value is None else t.map_of(key, value)
    if source.base is target.base is Base.STRUCT:
        members: list[tuple[str, SqlType]] = []
        for name in _names([f.name for f in source.fields], [f.name for f in target.fields]):
            theirs, ours = source.field(name), target.field(name)
            if theirs is None or ours is None:
                members.append((name, (ours or theirs).type))  # type: ignore[union-attr]
                continue
            common = can_coerce(theirs.type, ours.type, lax)
            if common is None:
                return None
            members.append((name, common))
        return t.struct(*members)
    if lax and ((target.base is Base.STRING and source.base in _LAX_TO_STRING)
                or (source.base is Base.STRING and target.base in _LAX_FROM_STRING)):
        return target
    return None


def _names(first: Sequence[str], second: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


class UserList:
    """Resolves the common type of a list of expressions typed by `type_of`."""

    def __init__(self, type_of: TypeOf) -> None:
        self.type_of = type_of

    def common(self, items: Sequence[e.Expression]) -> SqlType | None:
        typed = [(item, self.type_of(item)) for item in items]
        return self._resolve(typed)

    def _resolve(self, typed: Sequence[tuple[e.Expression, SqlType | None]]) -> SqlType | None:
        common: SqlType | None = None
        first = True
        for item, kind in typed:
            if first:
                common, first = kind, False
            elif common is None:
                # ksqlDB: a leading NULL leaves nothing to lead; the next item does.
                common = kind
            elif kind is not None:
                common = self._merge(item, kind, common)
        return common

    def _merge(self, item: e.Expression, kind: SqlType, target: SqlType) -> SqlType:
        if isinstance(item, e.CreateArray):
            return self._structured(item, kind, target, Base.ARRAY)
        if isinstance(item, e.CreateMap):
            return self._structured(item, kind, target, Base.MAP)
        if isinstance(item, e.CreateStruct):
            return self._structured(item, kind, target, Base.STRUCT)
        if isinstance(item, e.StringLiteral):
            if target.is_numeric:
                return _number_from_string(item, target)
            if target.base is Base.BOOLEAN:
                if not _is_boolean_text(item.value):
                    raise error_at(item, _syntax(item.value, target))
                return target
        lax = isinstance(item, _LITERALS)
        common = can_coerce(kind, target, lax) or can_coerce(target, kind, lax)
        if common is None:
            raise _failure(item, kind, target)
        return common

    def _structured(self, item: e.Expression, kind: SqlType, target: SqlType,
                    base: Base) -> SqlType:
        if target.base is not base:
            raise _failure(item, kind, target)
        try:
            if isinstance(item, e.CreateArray):
                assert target.element is not None
                return t.array(self._elements(target.element, item.items))
            if isinstance(item, e.CreateMap):
                assert target.key is not None and target.value is not None
                key = self._elements(target.key, [x.key for x in item.entries])
                value = self._elements(target.value, [x.value for x in item.entries])
                return t.map_of(key, value)
            assert isinstance(item, e.CreateStruct)
            return self._struct(item, target)
        except CoercionFailure as exc:
            raise _failure(item, kind, target) from exc

    def _elements(self, target: SqlType, items: Sequence[e.Expression]) -> SqlType:
        typed = [(item, self.type_of(item)) for item in items]
        if not typed:
            return target
        found = self._resolve([(e.NullLiteral(), target), *typed])
        assert found is not None
        return found

    def _struct(self, item: e.CreateStruct, target: SqlType) -> SqlType:
        given = {f.name: f.value for f in item.fields}
        members: list[tuple[str, SqlType]] = []
        for name in _names([f.name for f in item.fields], [f.name for f in target.fields]):
            ours = target.field(name)
            value = given.get(name)
            kind = self.type_of(value) if value is not None else None
            if ours is None:
                assert kind is not None
                members.append((name, kind))
            elif value is None or kind is None:
                members.append((name, ours.type))
            else:
                members.append((name, self._merge(value, kind, ours.type)))
        return t.struct(*members)


def _is_boolean_text(text: str) -> bool:
    """Whether a string spells a boolean: a prefix of true, yes, false or no."""
    value = text.strip().lower()
    return bool(value) and any(word.startswith(value) for word in ("true", "yes", "false", "no"))


def _syntax(value: str, target: SqlType) -> str:
    return f'invalid input syntax for type {target.base.value}: "{value}".'


def _failure(item: e.Expression, kind: SqlType, target: SqlType) -> CoercionFailure:
    located = error_at(item, f"operator does not exist: {target} = {kind} ({fmt(item)})\n"
                             "Hint: You might need to add explicit type casts.")
    return CoercionFailure(located.message, line=located.line, column=located.column,
                           span=located.span)


def _number_from_string(item: e.StringLiteral, target: SqlType) -> SqlType:
    """The numeric type a string literal joins a numeric list with."""
    text = item.value.strip()
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or "_" in text:
        raise error_at(item, _syntax(item.value, target))
    source: SqlType
    if not any(c in item.value for c in ".eE") and value == value.to_integral_value():
        if -(2**31) < value < 2**31 - 1:
            source = t.INTEGER
        elif -(2**63) < value < 2**63 - 1:
            source = t.BIGINT
        else:
            source = decimal_literal_type(value)
    else:
        source = decimal_literal_type(value)
    if Base.DOUBLE in (source.base, target.base):
        return t.DOUBLE
    if Base.DECIMAL in (source.base, target.base):
        return widen_decimals(source, target)
    return target if can_widen(source, target) else source

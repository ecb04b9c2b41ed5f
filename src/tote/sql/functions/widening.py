"""ksqlDB's implicit type rules: numeric widening and decimal precision arithmetic.

INT widens to BIGINT, BIGINT to DECIMAL, DECIMAL to DOUBLE (never back). When a whole
number meets a DECIMAL it is treated as DECIMAL(10, 0) (INT) or DECIMAL(19, 0) (BIGINT).
Shared by function resolution and by the expression type checker.
"""

from __future__ import annotations

from tote.core import types as t
from tote.core.types import Base, SqlType

_RANK = {Base.INTEGER: 0, Base.BIGINT: 1, Base.DECIMAL: 2, Base.DOUBLE: 3}
# What STRING converts to implicitly (SqlBaseType.canImplicitlyCast): `'2022-06-14'` is a
# DATE argument where only DATE variants fit, a DATE item in a list of dates.
FROM_STRING = frozenset({Base.DATE, Base.TIME, Base.TIMESTAMP, Base.BYTES})


def as_decimal(sql: SqlType) -> SqlType:
    """The DECIMAL a numeric type converts to without loss (ksqlDB's toSqlDecimal)."""
    if sql.base is Base.DECIMAL:
        return sql
    if sql.base is Base.INTEGER:
        return t.decimal(10, 0)
    if sql.base is Base.BIGINT:
        return t.decimal(19, 0)
    raise ValueError(f"Cannot convert {sql.base.value} to DECIMAL.")


def can_widen(source: SqlType, target: SqlType) -> bool:
    """Whether `source` implicitly converts to `target` (SqlBaseType.canImplicitlyCast)."""
    if source == target:
        return True
    if source.base in _RANK and target.base in _RANK:
        if source.base is Base.DECIMAL and target.base is Base.DECIMAL:
            return decimal_fits(source, target)
        return _RANK[source.base] <= _RANK[target.base]
    if source.base is Base.ARRAY and target.base is Base.ARRAY:
        assert source.element is not None and target.element is not None
        return can_widen(source.element, target.element)
    if source.base is Base.MAP and target.base is Base.MAP:
        assert source.key and source.value and target.key and target.value
        return can_widen(source.key, target.key) and can_widen(source.value, target.value)
    return False


def decimal_fits(source: SqlType, target: SqlType) -> bool:
    s_p, s_s = source.precision or 0, source.scale or 0
    t_p, t_s = target.precision or 0, target.scale or 0
    return s_s <= t_s and s_p - s_s <= t_p - t_s


def widen_decimals(left: SqlType, right: SqlType) -> SqlType:
    """A DECIMAL holding either side (DecimalUtil.widen)."""
    a, b = as_decimal(left), as_decimal(right)
    assert a.precision is not None and a.scale is not None
    assert b.precision is not None and b.scale is not None
    scale = max(a.scale, b.scale)
    whole = max(a.precision - a.scale, b.precision - b.scale)
    return t.decimal(whole + scale, scale)


def wider_numeric(left: SqlType, right: SqlType) -> SqlType:
    """The common type of two numeric types."""
    if Base.DOUBLE in (left.base, right.base):
        return t.DOUBLE
    if Base.DECIMAL in (left.base, right.base):
        return widen_decimals(left, right)
    return left if _RANK[left.base] >= _RANK[right.base] else right


def common_type(left: SqlType, right: SqlType) -> SqlType | None:
    """The type both sides convert to implicitly, or None (arrays/maps/structs element-wise)."""
    if left == right:
        return left
    if left.is_numeric and right.is_numeric:
        return wider_numeric(left, right)
    if left.base is Base.ARRAY and right.base is Base.ARRAY:
        assert left.element is not None and right.element is not None
        element = common_type(left.element, right.element)
        return t.array(element) if element is not None else None
    if left.base is Base.MAP and right.base is Base.MAP:
        assert left.key and left.value and right.key and right.value
        key, value = common_type(left.key, right.key), common_type(left.value, right.value)
        return t.map_of(key, value) if key is not None and value is not None else None
    if left.base is Base.STRUCT and right.base is Base.STRUCT:
        fields: list[tuple[str, SqlType]] = []
        names = [f.name for f in left.fields] + [
            f.name for f in right.fields if left.field(f.name) is None
        ]
        for name in names:
            lf, rf = left.field(name), right.field(name)
            if lf is None or rf is None:
                fields.append((name, (lf or rf).type))  # type: ignore[union-attr]
                continue
            merged = common_type(lf.type, rf.type)
            if merged is None:
                return None
            fields.append((name, merged))
        return t.struct(*fields)
    return None


def decimal_result(op: str, left: SqlType, right: SqlType) -> SqlType:
    """Result type of a decimal operation, as ksqlDB's SqlDecimal computes it."""
    a, b = as_decimal(left), as_decimal(right)
    p1, s1, p2, s2 = a.precision or 0, a.scale or 0, b.precision or 0, b.scale or 0
    if op in ("+", "-"):
        scale = max(s1, s2)
        return t.decimal(scale + max(p1 - s1, p2 - s2) + 1, scale)
    if op == "*":
        return t.decimal(p1 + p2 + 1, s1 + s2)
    if op == "/":
        scale = max(6, s1 + p2 + 1)
        return t.decimal(p1 - s1 + s2 + scale, scale)
    scale = max(s1, s2)
    return t.decimal(min(p1 - s1, p2 - s2) + scale, scale)

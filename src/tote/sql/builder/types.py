"""Rule callbacks for type syntax."""

from __future__ import annotations

from typing import Any

from tote.core import types as t
from tote.sql.ast import types as ty
from tote.sql.ast.expressions import Literal
from tote.sql.ast.nodes import Span
from tote.sql.builder.base import Name, of_type, prepare_error, span_of, whole_number
from tote.sql.lexer import Token

Children = list[Any]

# The type of a HEADERS column, as ksqlDB requires it.
HEADERS_TYPE = t.array(t.struct(("KEY", t.STRING), ("VALUE", t.BYTES)))


def _builtins(*types: ty.Type) -> list[t.SqlType] | None:
    """The SqlTypes of `types` if they are all built-in, else None."""
    found = [x.sql_type for x in types if isinstance(x, ty.BuiltinType)]
    return found if len(found) == len(types) else None


def decimal_type(precision: int, scale: int, span: Span) -> t.SqlType:
    """DECIMAL(precision, scale), validated as ksqlDB validates it."""
    if precision <= 0:
        problem = "DECIMAL precision must be >= 1"
    elif scale < 0:
        problem = "DECIMAL scale must be >= 0"
    elif precision < scale:
        problem = "DECIMAL precision must be >= scale"
    else:
        return t.decimal(precision, scale)
    raise prepare_error(f"{problem}: DECIMAL({precision},{scale})", span)


class TypeRules:
    """Callbacks named after the type rules and aliases of grammar.lark."""

    def array_type(self, c: Children) -> ty.Type:
        (element,) = of_type(c, ty.Type)
        span = span_of(c)
        builtin = _builtins(element)
        if builtin is not None:
            return ty.BuiltinType(t.array(builtin[0]), span=span)
        return ty.ArrayType(element, span=span)

    def map_type(self, c: Children) -> ty.Type:
        key, value = of_type(c, ty.Type)
        span = span_of(c)
        builtin = _builtins(key, value)
        if builtin is not None:
            return ty.BuiltinType(t.map_of(*builtin), span=span)
        return ty.MapType(key, value, span=span)

    def struct_type(self, c: Children) -> ty.Type:
        names = of_type(c, Name)
        types = of_type(c, ty.Type)
        span = span_of(c)
        builtin = _builtins(*types)
        if builtin is not None:
            fields = tuple((n.text, x) for n, x in zip(names, builtin, strict=True))
            return ty.BuiltinType(t.struct(*fields), span=span)
        return ty.StructType(
            tuple(
                ty.StructTypeField(n.text, x, span=n.span.to(x.span))
                for n, x in zip(names, types, strict=True)
            ),
            span=span,
        )

    def decimal_type(self, c: Children) -> ty.Type:
        precision, scale = of_type(c, Literal)
        span = span_of(c)
        sql_type = decimal_type(
            whole_number(precision, "DECIMAL(PRECISION)"),
            whole_number(scale, "DECIMAL(SCALE)"),
            span,
        )
        return ty.BuiltinType(sql_type, span=span)

    def base_type(self, c: Children) -> ty.Type:
        name: Name = c[0]
        span = span_of(c)
        primitive = ty.PRIMITIVES.get(name.text.upper())
        if primitive is not None:
            return ty.BuiltinType(primitive, span=span)
        return ty.CustomType(name.text, span=span)

    def type_parameter(self, c: Children) -> Token:
        # ksqlDB accepts and ignores parameters such as VARCHAR(10).
        token: Token = c[0]
        return token

    def single_type(self, c: Children) -> ty.Type:
        result: ty.Type = c[0]
        return result

"""Expression nodes, shaped like ksqlDB's expression tree so its semantics map one to one.

As in ksqlDB: `a || b` is `FunctionCall("CONCAT", (a, b))`; `NOT BETWEEN`, `NOT IN`,
`NOT LIKE` and `IS NOT DISTINCT FROM` wrap the positive form in `Not`; `COUNT(*)` is a call
with no arguments; a minus sign directly before a number is part of the literal; unquoted
names are upper case.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from tote.sql.ast.nodes import Node
from tote.sql.ast.types import Type


class TimeUnit(Enum):
    """Units of window sizes, join windows and interval arguments (ksqlDB's TimeUnit)."""

    MILLISECONDS = 1
    SECONDS = 1000
    MINUTES = 60_000
    HOURS = 3_600_000
    DAYS = 86_400_000

    @property
    def millis(self) -> int:
        return self.value


class Sign(Enum):
    PLUS = "+"
    MINUS = "-"


class ArithmeticOp(Enum):
    ADD = "+"
    SUBTRACT = "-"
    MULTIPLY = "*"
    DIVIDE = "/"
    MODULUS = "%"


class ComparisonOp(Enum):
    EQUAL = "="
    NOT_EQUAL = "<>"
    LESS_THAN = "<"
    LESS_THAN_OR_EQUAL = "<="
    GREATER_THAN = ">"
    GREATER_THAN_OR_EQUAL = ">="
    IS_DISTINCT_FROM = "IS DISTINCT FROM"


class LogicalOp(Enum):
    AND = "AND"
    OR = "OR"


@dataclass(frozen=True, slots=True)
class Expression(Node):
    """Base of expression nodes."""


# --- literals ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal(Expression):
    """Base of literal values."""


@dataclass(frozen=True, slots=True)
class NullLiteral(Literal):
    pass


@dataclass(frozen=True, slots=True)
class BooleanLiteral(Literal):
    value: bool


@dataclass(frozen=True, slots=True)
class IntegerLiteral(Literal):
    """A whole number that fits in 32 bits (type INTEGER)."""

    value: int


@dataclass(frozen=True, slots=True)
class LongLiteral(Literal):
    """A whole number that needs 64 bits (type BIGINT)."""

    value: int


@dataclass(frozen=True, slots=True)
class DoubleLiteral(Literal):
    """A number with an exponent, e.g. `1.5E3` (type DOUBLE)."""

    value: float


@dataclass(frozen=True, slots=True)
class DecimalLiteral(Literal):
    """A number with a point, e.g. `1.50` (type DECIMAL, precision and scale from the text)."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class StringLiteral(Literal):
    value: str


@dataclass(frozen=True, slots=True)
class IntervalUnit(Expression):
    """A time unit passed as a function argument, e.g. `TIMESTAMPADD(SECONDS, 5, ts)`."""

    unit: TimeUnit


# --- references -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnRef(Expression):
    """A column, optionally qualified by a source name or alias (`src.col`)."""

    name: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class LambdaVariable(Expression):
    """A lambda parameter used inside the lambda's body."""

    name: str


@dataclass(frozen=True, slots=True)
class Dereference(Expression):
    """A struct field: `base->field`."""

    base: Expression
    field: str


@dataclass(frozen=True, slots=True)
class Subscript(Expression):
    """An array element or map value: `base[index]`."""

    base: Expression
    index: Expression


# --- calls ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FunctionCall(Expression):
    name: str
    args: tuple[Expression, ...] = ()


@dataclass(frozen=True, slots=True)
class Lambda(Expression):
    """`x => body` or `(x, y) => body`, only allowed as a function argument."""

    params: tuple[str, ...]
    body: Expression


@dataclass(frozen=True, slots=True)
class Cast(Expression):
    expression: Expression
    type: Type


# --- operators --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArithmeticUnary(Expression):
    sign: Sign
    operand: Expression


@dataclass(frozen=True, slots=True)
class ArithmeticBinary(Expression):
    op: ArithmeticOp
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Comparison(Expression):
    op: ComparisonOp
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class LogicalBinary(Expression):
    op: LogicalOp
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Not(Expression):
    operand: Expression


@dataclass(frozen=True, slots=True)
class IsNull(Expression):
    operand: Expression


@dataclass(frozen=True, slots=True)
class IsNotNull(Expression):
    operand: Expression


@dataclass(frozen=True, slots=True)
class Between(Expression):
    value: Expression
    lower: Expression
    upper: Expression


@dataclass(frozen=True, slots=True)
class InList(Expression):
    value: Expression
    items: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Like(Expression):
    value: Expression
    pattern: Expression
    escape: str | None = None


# --- conditionals and constructors ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhenClause(Node):
    condition: Expression
    result: Expression


@dataclass(frozen=True, slots=True)
class SearchedCase(Expression):
    """`CASE WHEN cond THEN result ... [ELSE default] END`."""

    whens: tuple[WhenClause, ...]
    default: Expression | None = None


@dataclass(frozen=True, slots=True)
class SimpleCase(Expression):
    """`CASE operand WHEN value THEN result ... [ELSE default] END`."""

    operand: Expression
    whens: tuple[WhenClause, ...]
    default: Expression | None = None


@dataclass(frozen=True, slots=True)
class CreateArray(Expression):
    """`ARRAY[a, b, ...]`."""

    items: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class MapEntry(Node):
    key: Expression
    value: Expression


@dataclass(frozen=True, slots=True)
class CreateMap(Expression):
    """`MAP(k1 := v1, ...)`."""

    entries: tuple[MapEntry, ...]


@dataclass(frozen=True, slots=True)
class StructFieldValue(Node):
    name: str
    value: Expression


@dataclass(frozen=True, slots=True)
class CreateStruct(Expression):
    """`STRUCT(name := value, ...)`."""

    fields: tuple[StructFieldValue, ...]

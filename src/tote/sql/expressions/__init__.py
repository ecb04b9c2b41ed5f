"""Expression typing and compilation to Python (ksqlDB semantics)."""

from tote.sql.expressions.compiler import (
    Compiled,
    compile_predicate,
    compile_projection,
    compile_value,
    evaluate_constant,
)
from tote.sql.expressions.errors import ExpressionError
from tote.sql.expressions.formatter import format_expression
from tote.sql.expressions.scope import Binding, Scope
from tote.sql.expressions.typing import TypeChecker, type_of

__all__ = [
    "Binding",
    "Compiled",
    "ExpressionError",
    "Scope",
    "TypeChecker",
    "compile_predicate",
    "compile_projection",
    "compile_value",
    "evaluate_constant",
    "format_expression",
    "type_of",
]

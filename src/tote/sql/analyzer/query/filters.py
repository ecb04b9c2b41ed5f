"""WHERE and HAVING type checks, in ksqlDB's two passes and its words for each.

ksqlDB first types a filter without looking inside IN lists or validating CASTs; a type
error found then reads "Error in WHERE expression: ..." (or HAVING), and a filter that is
not boolean "Type error in ... expression: ...". IN lists are coerced and CASTs checked
only when it generates the predicate's code, so those failures read "Invalid Predicate:".
HAVING is typed before aggregate calls become columns (messages name `SUM(X)`), and in
joins columns print as the join names them (`I1_BAR`).
"""

from __future__ import annotations

import re

from tote.core.errors import SqlError
from tote.core.types import Base
from tote.sql.analyzer.query.rewrite import replace, text
from tote.sql.ast.expressions import ColumnRef, Expression
from tote.sql.ast.nodes import walk
from tote.sql.errors import StatementError, as_statement_error
from tote.sql.expressions import type_of
from tote.sql.expressions.scope import Binding, Scope
from tote.sql.expressions.typerules import NULL_TYPE_MESSAGE
from tote.sql.functions import FunctionRegistry

_POSITION = re.compile(r"^Line: \d+, Col: \d+: ")


def check_filter(expr: Expression, scope: Scope, functions: FunctionRegistry, clause: str,
                 *, join: bool, codegen: bool = True) -> None:
    """Type `expr` as a WHERE/HAVING filter, raising ksqlDB's message when it is invalid.
    `codegen=False` skips the second pass (HAVING's code is generated after rewriting).
    Unknown columns keep their own message; in HAVING (window bounds live only in the
    aggregate's output) they are left to the later checks."""
    for node in walk(expr):
        if isinstance(node, ColumnRef):
            try:
                scope.resolve(node)
            except SqlError as err:
                if clause == "HAVING":
                    return
                raise as_statement_error(err) from None
    printed, printed_scope = (shown(expr), _join_scope(scope)) if join else (expr, scope)
    try:
        kind = type_of(printed, printed_scope, functions, lenient=True)
    except SqlError as err:
        if err.message == NULL_TYPE_MESSAGE:
            raise as_statement_error(err) from None
        raise StatementError(f"Error in {clause} expression: {bare_message(err)}") from None
    if kind.base is not Base.BOOLEAN:
        raise StatementError(
            f"Type error in {clause} expression: Should evaluate to boolean but is "
            f"{text(printed)} ({kind}) instead.")
    if codegen:
        check_predicate_code(expr, scope, functions)


def check_predicate_code(expr: Expression, scope: Scope, functions: FunctionRegistry) -> None:
    """The code-generation pass: IN list coercion and CASTs."""
    try:
        type_of(expr, scope, functions)
    except SqlError as err:
        raise StatementError(f"Invalid Predicate: {bare_message(err)}.") from None


def shown(expr: Expression) -> Expression:
    """How ksqlDB prints a join's filter: `I1.BAR` is the join's column `I1_BAR`."""

    def swap(node: Expression) -> Expression | None:
        if isinstance(node, ColumnRef) and node.source is not None:
            return ColumnRef(f"{node.source}_{node.name}", span=node.span)
        return None

    return replace(expr, swap)


def _join_scope(scope: Scope) -> Scope:
    """`scope` that also answers to the join's names of qualified columns."""
    taken = {b.name for b in scope.bindings}
    named = [Binding(f"{b.qualifier}_{b.name}", None, b.type, b.slot)
             for b in scope.bindings
             if b.qualifier and f"{b.qualifier}_{b.name}" not in taken]
    return Scope([*scope.bindings, *named], clause=scope.clause)


def bare_message(err: SqlError) -> str:
    """The error's message without the position prefix the expression checker adds."""
    return _POSITION.sub("", err.message)

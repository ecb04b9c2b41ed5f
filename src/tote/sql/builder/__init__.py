"""Builds the AST from the parser's rule reductions.

`AstBuilder` has one method per grammar rule or alias (Lark calls them as it reduces, so
no parse tree is ever built). Each receives the rule's children: tokens from
`tote.sql.lexer`, AST nodes and small helper values. Nothing here imports Lark.
"""

from __future__ import annotations

from typing import Any

from tote.sql.ast.expressions import Expression
from tote.sql.ast.statements import Statement
from tote.sql.builder.expressions import ExpressionRules
from tote.sql.builder.names import NameRules
from tote.sql.builder.queries import QueryRules
from tote.sql.builder.statements import StatementRules
from tote.sql.builder.types import TypeRules
from tote.sql.lexer import Token

# A statement and the `;` that ended it, if any.
Terminated = tuple[Statement, Token | None]


class AstBuilder(NameRules, ExpressionRules, TypeRules, QueryRules, StatementRules):
    """All rule callbacks, plus the entry points."""

    def script(self, c: list[Any]) -> list[Terminated]:
        result: list[Terminated] = []
        for child in c:
            if isinstance(child, Statement):
                result.append((child, None))
            elif isinstance(child, Token) and result:
                result[-1] = (result[-1][0], child)
        return result

    def single_expression(self, c: list[Any]) -> Expression:
        expression: Expression = c[0]
        return expression


__all__ = ["AstBuilder", "Terminated"]

"""Rule callbacks for identifiers and names."""

from __future__ import annotations

from typing import Any

from tote.sql.builder.base import Name, name_of, source_name
from tote.sql.lexer import Token

Children = list[Any]


class NameRules:
    """Callbacks named after the name rules of grammar.lark."""

    def identifier(self, c: Children) -> Name:
        return name_of(c[0])

    def non_reserved(self, c: Children) -> Token:
        token: Token = c[0]
        return token

    def non_reserved_alias(self, c: Children) -> Token:
        token: Token = c[0]
        return token

    def source_name(self, c: Children) -> Name:
        name: Name = c[0]
        source_name(name)
        return name

    def bare_alias(self, c: Children) -> Name:
        name = name_of(c[0])
        source_name(name)
        return name

    def variable_name(self, c: Children) -> str:
        # ksqlDB keeps a variable name as written; lookups ignore case.
        token: Token = c[0]
        return token.text

    def resource_name(self, c: Children) -> str:
        """A topic or subject name: a string, or an identifier that keeps its case."""
        item = c[0]
        if isinstance(item, Name):
            return item.case_text
        token: Token = item
        return token.text[1:-1].replace("''", "'")

    def reserved_word(self, c: Children) -> Token:
        token: Token = c[0]
        return token

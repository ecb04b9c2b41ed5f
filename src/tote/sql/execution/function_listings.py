"""SHOW FUNCTIONS and DESCRIBE FUNCTION: the function registry as ksqlDB lists it."""

from __future__ import annotations

from tote.sql.functions import FunctionRegistry
from tote.sql.results import (
    FunctionDescriptionResult,
    FunctionList,
    FunctionParameter,
    FunctionVariant,
)


def list_functions(text: str, functions: FunctionRegistry) -> FunctionList:
    return FunctionList(text, tuple((f.name, f.type, f.category) for f in functions.list()))


def describe_function(
    text: str, name: str, functions: FunctionRegistry
) -> FunctionDescriptionResult:
    """Unknown names fail as ksqlDB's do: "Can't find any functions with the name 'X'"."""
    found = functions.describe(name)
    variants = tuple(
        FunctionVariant(
            tuple(FunctionParameter(p.name, p.type, "", p.is_variadic) for p in sig.arguments),
            sig.return_type,
            sig.description or found.description,
        )
        for sig in found.signatures
    )
    return FunctionDescriptionResult(
        text,
        name=found.name,
        type=found.type,
        description=found.description,
        author=found.author,
        version=found.version,
        path=found.path,
        variants=variants,
    )

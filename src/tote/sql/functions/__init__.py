"""ksqlDB's built-in functions: scalar (by category), aggregate and table functions."""

from tote.sql.functions.base import (
    AggregateFunction,
    Aggregator,
    FunctionDescription,
    FunctionSummary,
    ResolvedCall,
    ResolvedTableFunction,
    ScalarFunction,
    TableFunction,
)
from tote.sql.functions.library import default_functions
from tote.sql.functions.registry import FunctionRegistry

__all__ = [
    "AggregateFunction",
    "Aggregator",
    "FunctionDescription",
    "FunctionRegistry",
    "FunctionSummary",
    "ResolvedCall",
    "ResolvedTableFunction",
    "ScalarFunction",
    "TableFunction",
    "default_functions",
]

"""The tote domain's SQL functions, added to a ksqlDB function registry.

    engine = Engine(log, registry, functions=with_tote_functions(default_functions()))

`tote serve ksqldb` (and `tote test-runner`) register them by default, so the shipped
`pools.sql` runs there and SHOW FUNCTIONS / DESCRIBE FUNCTION list them (category TOTE).
"""

from __future__ import annotations

from dataclasses import replace

from tote.poolsql import dividends, exact, prices, tickets
from tote.sql.functions import FunctionRegistry, default_functions
from tote.sql.functions.registry import Function


def tote_functions() -> list[Function]:
    """Every TOTE_ function: exact money, ticket changes, prices and dividends."""
    found = [*exact.functions(), *tickets.functions(), *prices.functions(), *dividends.functions()]
    return [replace(function, author="tote", path="tote.poolsql") for function in found]


def with_tote_functions(functions: FunctionRegistry | None = None) -> FunctionRegistry:
    """`functions` (the built-ins by default) plus the TOTE_ functions."""
    return (functions or default_functions()).with_functions(tote_functions())

"""The texts ksqlDB makes of a CREATE CONNECTOR: config values as Java prints them, the
statement with its configs masked, and a config map as Java's `HashMap` prints it.

ksqlDB never echoes connector configs (they hold passwords): every answer carries the
statement rewritten as `CREATE SINK CONNECTOR name WITH (key='[string]', ...);`, only
`connector.class` shown (its `QueryMask`).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from tote.core.java_hashing import (
    INITIAL_CAPACITY,
    LOAD_FACTOR,
    grown_capacity,
    iteration_order,
    table_size_for,
)
from tote.sql.ast import expressions as e
from tote.sql.ast import statements as s

MASKED = "'[string]'"
SHOWN_KEYS = ("connector.class",)

_HEAD = re.compile(r"\s*CREATE\s+(?:SOURCE|SINK)\s+CONNECTOR\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                   r"(`(?:[^`]|``)*`|\"(?:[^\"]|\"\")*\"|[^\s(]+)", re.IGNORECASE)
_PROPERTY = re.compile(r"\s*('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|[^\s=]+)"
                       r"\s*=\s*(.*?)\s*\Z", re.DOTALL)
# ksqlDB's best effort when it cannot parse: quoted keys with quoted values.
_FALLBACK = re.compile(r"('[^']+'|\"[^\"]+\"|`[^`]+`)\s*=\s*('[^']*')", re.DOTALL)


def config_text(value: e.Expression) -> str | None:
    """A WITH value as ksqlDB hands it to Connect: the literal's Java `toString()`."""
    if isinstance(value, e.NullLiteral):
        return None
    if isinstance(value, e.StringLiteral):
        return value.value
    if isinstance(value, e.BooleanLiteral):
        return "true" if value.value else "false"
    if isinstance(value, e.DoubleLiteral):
        return java_double(value.value)
    if isinstance(value, (e.IntegerLiteral, e.LongLiteral, e.DecimalLiteral)):
        return str(value.value)
    return str(value)


def java_double(value: float) -> str:
    """`Double.toString`: plain between 10^-3 and 10^7, else `d.dddEn`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "e" not in text else format(value, "f")
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    mantissa = "".join(map(str, digits))
    power = exponent + len(mantissa) - 1
    return f"{'-' if sign else ''}{mantissa[0]}.{mantissa[1:] or '0'}E{power}"


def masked_statement(statement: s.CreateConnector, text: str) -> str:
    """ksqlDB's masked CREATE CONNECTOR: keys and name as written, values masked but
    `connector.class`'s, in its layout."""
    head = _HEAD.match(text)
    if head is None:
        return _fallback(text)
    parts = []
    for prop in statement.properties:
        found = _PROPERTY.match(text[prop.span.start:prop.span.end])
        if found is None:
            return _fallback(text)
        key, value = found.groups()
        parts.append(f"{key}={value if _key_name(key) in SHOWN_KEYS else MASKED}")
    exists = " IF NOT EXISTS" if statement.if_not_exists else ""
    return (f"CREATE {statement.kind.value} CONNECTOR{exists} {head.group(1)} "
            f"WITH ({', '.join(parts)});")


def _key_name(key: str) -> str:
    """A string key unquoted; an identifier key unquoted and lower-cased."""
    if key.startswith("'"):
        return key[1:-1].replace("''", "'")
    if key[:1] in ('"', "`"):
        quote = key[0]
        return key[1:-1].replace(quote * 2, quote).lower()
    return key.lower()


def mask_configs(text: str) -> str:
    """Any text with the quoted connector configs in it masked (ksqlDB's fallback, used
    here for whole requests)."""
    return _fallback(text)


def _fallback(text: str) -> str:
    def mask(found: re.Match[str]) -> str:
        quoted = found.group(1)
        if quoted[1:-1] in SHOWN_KEYS:
            return found.group(0)
        return f"{quoted}={MASKED}"

    return _FALLBACK.sub(mask, text)


def java_map_text(config: dict[str, str | None]) -> str:
    """`{k=v, ...}` in the order Java's `HashMap` iterates it: ksqlDB copies the WITH
    configs into a HashMap sized for them, then puts `name` (the last key here)."""
    keys = list(config)
    copied = len(keys) - 1 if keys and keys[-1] == "name" else len(keys)
    capacity = table_size_for(int(copied / LOAD_FACTOR + 1.0)) if copied else INITIAL_CAPACITY
    order = iteration_order(keys, grown_capacity(len(keys), capacity))
    items = (f"{keys[i]}={_java_text(config[keys[i]])}" for i in order)
    return "{" + ", ".join(items) + "}"


def _java_text(value: str | None) -> str:
    return "null" if value is None else value



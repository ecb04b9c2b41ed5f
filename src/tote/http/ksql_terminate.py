"""The body of `POST /ksql/terminate`, bound as ksqlDB's Jackson mapper binds a
`ClusterTerminateRequest`: `{"deleteTopicList": [...]}`, unknown properties ignored.

    topics = delete_topic_list(parse_json(raw))   # BadRequest (400) when Jackson refuses it

The messages are Jackson's (without its `at [Source: ...]` location), after ksqlDB's
"Invalid JSON in request: ". Topic names may be any JSON scalar (Jackson makes a number or
boolean its text); a null among them fails in the request's constructor, which ksqlDB
answers 500 "Failed to deserialize buffer".
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from tote.core.errors import BadRequest, ToteError

_REQUEST = "io.confluent.ksql.rest.entity.ClusterTerminateRequest"
_LIST = "java.util.ArrayList<java.lang.String>"
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def delete_topic_list(body: Any) -> list[str]:
    """The topic patterns of a parsed terminate body; BadRequest as ksqlDB refuses it."""
    if not isinstance(body, dict):
        raise _invalid(_not_an_object(body))
    topics = body.get("deleteTopicList")
    if topics is None:
        return []
    if isinstance(topics, str):
        raise _invalid(_no_creator("java.util.ArrayList", topics))
    if not isinstance(topics, list):
        raise _invalid(_unexpected(_LIST, topics))
    names = []
    for name in topics:
        if name is None:
            raise ToteError("Failed to deserialize buffer", 50000)
        if isinstance(name, (dict, list)):
            raise _invalid(_unexpected("java.lang.String", name))
        names.append(name if isinstance(name, str) else _text(name))
    return names


def _invalid(message: str) -> BadRequest:
    return BadRequest(f"Invalid JSON in request: {message}", 40000)


def _not_an_object(body: Any) -> str:
    if isinstance(body, list):
        return _unexpected(_REQUEST, body)
    if body is None:  # ksqlDB fails with a NullPointerException (500); a 400 here
        return "expected a JSON object"
    return _no_creator(_REQUEST, body)


def _no_creator(type_name: str, value: Any) -> str:
    """Jackson's message for a scalar where an object with a property creator belongs."""
    if isinstance(value, bool):
        what = f"boolean/Boolean-argument constructor/factory method to deserialize from " \
               f"Boolean value ({_text(value)})"
    elif isinstance(value, int):
        kind = ("int/Int" if _INT_MIN <= value <= _INT_MAX
                else "long/Long" if _LONG_MIN <= value <= _LONG_MAX else "BigInteger")
        what = f"{kind}-argument constructor/factory method to deserialize from Number " \
               f"value ({value})"
    elif isinstance(value, float):
        what = f"double/Double-argument constructor/factory method to deserialize from " \
               f"Number value ({_java_double(value)})"
    else:
        what = f"String-argument constructor/factory method to deserialize from String " \
               f"value ('{value}')"
    return (f"Cannot construct instance of `{type_name}` (although at least one Creator "
            f"exists): no {what}")


def _unexpected(type_name: str, value: Any) -> str:
    """Jackson's message for a JSON value whose shape the type cannot take."""
    if isinstance(value, dict):
        shape, token = "Object value", "START_OBJECT"
    elif isinstance(value, list):
        shape, token = "Array value", "START_ARRAY"
    elif isinstance(value, bool):
        shape, token = "Boolean value", "VALUE_TRUE" if value else "VALUE_FALSE"
    elif isinstance(value, int):
        shape, token = "Integer value", "VALUE_NUMBER_INT"
    else:
        shape, token = "Floating-point value", "VALUE_NUMBER_FLOAT"
    return (f"Cannot deserialize value of type `{type_name}` from {shape} "
            f"(token `JsonToken.{token}`)")


def _text(value: bool | int | float) -> str:
    """A scalar's JSON text, which Jackson takes as the string."""
    return json.dumps(value)


def _java_double(value: float) -> str:
    """Java's Double.toString: plain in [1e-3, 1e7), else `d.dddE<n>`; shortest digits."""
    if not math.isfinite(value) or value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)  # plain in this range (Python goes scientific from 1e16 only)
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + exponent - 1
    return f"{'-' if sign else ''}{shown[0]}.{shown[1:] or '0'}E{power}"

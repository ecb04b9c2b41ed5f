"""Writing a Python function as text: the generated codecs (`avro_rows`,
`avro_json_encoder`) build their specialised code with one of these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Source:
    """A generated function's lines and the constants its text refers to by name."""

    def __init__(self, env: Mapping[str, Any]) -> None:
        self.lines: list[str] = []
        self.env: dict[str, Any] = dict(env)

    def const(self, value: Any) -> str:
        name = f"_c{len(self.env)}"
        self.env[name] = value
        return name

    def emit(self, indent: int, *lines: str) -> None:
        self.lines.extend("    " * indent + line for line in lines)

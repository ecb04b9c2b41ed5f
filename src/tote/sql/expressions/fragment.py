"""The unit of generated code: a Python expression string and what is known about it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fragment:
    """Generated code for one node: `nullable` if it may be None, `simple` if it is cheap and
    side-effect free to evaluate more than once (a row slot, a constant, a temporary)."""

    code: str
    nullable: bool = True
    simple: bool = False

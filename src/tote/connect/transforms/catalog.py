"""Every SMT and predicate module, imported so that each registers its classes; and the
lookups by Connect class name (or simple-name alias) that configs and the runtime use."""

from __future__ import annotations

from tote.connect.transforms import (  # noqa: F401 - imported to register their classes
    cast,
    extract_field,
    filter,
    flatten,
    hoist,
    insert_field,
    mask,
    predicates,
    regex_router,
    replace_field,
    timestamp_converter,
    value_to_key,
)
from tote.connect.transforms.base import PREDICATES, TRANSFORMS, Predicate, Transformation

TRANSFORMATION, PREDICATE = "Transformation", "Predicate"


def canonical_name(cls: type[Transformation] | type[Predicate]) -> str:
    """The Connect class name a class was registered under first (aliases come after)."""
    table: dict[str, type] = dict(TRANSFORMS) if issubclass(cls, Transformation) \
        else dict(PREDICATES)
    return next(name for name, found in table.items() if found is cls)


def abstract_choices(name: str, kind: str) -> list[str]:
    """The `$Key` / `$Value` classes of an abstract transform named `name`, if it is one."""
    table: dict[str, type] = dict(TRANSFORMS) if kind == TRANSFORMATION else dict(PREDICATES)
    return [f"{name}{half}" for half in ("$Key", "$Value") if f"{name}{half}" in table]

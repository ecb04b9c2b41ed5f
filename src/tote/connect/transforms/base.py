"""What a single message transform (SMT) or predicate is, as Kafka Connect defines them.

A connector's `transforms` list names aliases; `transforms.<alias>.type` is the class
(`org.apache.kafka.connect.transforms.ValueToKey`, `...Cast$Value`), and the other
`transforms.<alias>.*` keys are its own configuration, checked by its `ConfigDef` as
Connect checks them. A transform returns a new record, or None to drop it (Filter).
Key/value variants (`$Key`, `$Value`) are two classes sharing one implementation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from tote.connect.configdef import ConfigDef
from tote.connect.data import SinkRecord


class Transformation(ABC):
    """One configured SMT (`org.apache.kafka.connect.transforms.Transformation`)."""

    config_def: ClassVar[ConfigDef]

    def __init__(self, props: Mapping[str, Any]) -> None:
        """`props`: the transform's own keys (alias prefix removed), already parsed and
        validated by `config_def` (raises ConfigException as Connect's `configure`)."""
        self.props = props

    @abstractmethod
    def apply(self, record: SinkRecord) -> SinkRecord | None:
        """The transformed record, or None to drop it. A record it cannot transform
        raises DataException (Connect's message), which error tolerance handles."""


class Predicate(ABC):
    """One configured predicate (`org.apache.kafka.connect.transforms.predicates.*`)."""

    config_def: ClassVar[ConfigDef]

    def __init__(self, props: Mapping[str, Any]) -> None:
        """As `Transformation.__init__`."""
        self.props = props

    @abstractmethod
    def test(self, record: SinkRecord) -> bool: ...


# Class name (and, as in Connect, its simple name alias) -> implementation; each module
# registers its own classes with `register`.
TRANSFORMS: dict[str, type[Transformation]] = {}
PREDICATES: dict[str, type[Predicate]] = {}


def register(*names: str) -> Callable[[type[Any]], type[Any]]:
    """Register a Transformation or Predicate class under its Connect class names."""

    def add(cls: type[Any]) -> type[Any]:
        table: dict[str, Any] = TRANSFORMS if issubclass(cls, Transformation) else PREDICATES
        for name in names:
            table[name] = cls
        return cls

    return add

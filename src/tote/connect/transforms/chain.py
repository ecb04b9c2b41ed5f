"""A connector's transformation chain, as its tasks run it (Connect's
`TransformationChain` of `TransformationStage`s).

Each alias of `transforms` becomes a stage: its class, configured with its own keys
(`transforms.<alias>.*` without `type`, `predicate` and `negate`), and optionally a
predicate (`predicates.<name>.*`) that decides, per record, whether the stage applies
(`negate` flips it). A stage that returns None drops the record: later stages and the
sink never see it. Building the chain raises ConfigException for a config Connect's
`configure` would refuse; the task then fails at start, as in Connect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tote.connect.configdef import ConfigType, parse_value
from tote.connect.data import SinkRecord
from tote.connect.errors import ConfigException
from tote.connect.transforms.base import PREDICATES, TRANSFORMS, Predicate, Transformation
from tote.connect.transforms.catalog import canonical_name

PREDICATE_KEY, NEGATE_KEY = "predicate", "negate"


def aliases(props: Mapping[str, str], key: str) -> list[str]:
    """The distinct aliases of `transforms` or `predicates`, in order."""
    out: list[str] = []
    for alias in parse_value(key, props.get(key) or "", ConfigType.LIST):
        if alias and alias not in out:
            out.append(alias)
    return out


def own_props(props: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {k[len(prefix):]: v for k, v in props.items() if k.startswith(prefix)}


@dataclass(frozen=True)
class Stage:
    """One transform, with the predicate that gates it."""

    alias: str
    transform: Transformation
    class_name: str
    predicate: Predicate | None = None
    negate: bool = False

    def apply(self, record: SinkRecord) -> SinkRecord | None:
        if self.predicate is not None and self.predicate.test(record) == self.negate:
            return record
        return self.transform.apply(record)


def _class(props: Mapping[str, str], key: str, table: Mapping[str, type]) -> type:
    name = (props.get(key) or "").strip()
    if not name:
        raise ConfigException(f"Missing required configuration \"{key}\" which has no default "
                              "value.")
    found = table.get(name)
    if found is None:
        raise ConfigException(f"Invalid value {name} for configuration {key}: Class {name} "
                              "could not be found.")
    return found


def _predicate(props: Mapping[str, str], name: str) -> Predicate:
    prefix = f"predicates.{name}."
    if name not in aliases(props, "predicates"):
        raise ConfigException(f"Unknown configuration '{prefix}type'")
    cls: type[Predicate] = _class(props, prefix + "type", PREDICATES)
    own = own_props(props, prefix)
    own.pop("type", None)
    return cls(cls.config_def.parse(own))


def build_stages(props: Mapping[str, str]) -> list[Stage]:
    """The chain of a connector config (empty without `transforms`)."""
    stages: list[Stage] = []
    for alias in aliases(props, "transforms"):
        prefix = f"transforms.{alias}."
        cls: type[Transformation] = _class(props, prefix + "type", TRANSFORMS)
        own = own_props(props, prefix)
        own.pop("type", None)
        predicate_name, negate = own.pop(PREDICATE_KEY, None), own.pop(NEGATE_KEY, None)
        transform = cls(cls.config_def.parse(own))
        predicate = _predicate(props, predicate_name.strip()) if predicate_name else None
        flip = negate is not None and negate.strip().lower() == "true"
        stages.append(Stage(alias, transform, canonical_name(cls), predicate, flip))
    return stages


class StageFailed(Exception):
    """A stage raised: which stage, and what it raised (the `__cause__`)."""

    def __init__(self, stage: Stage, error: Exception) -> None:
        super().__init__(str(error))
        self.stage = stage
        self.error = error


def apply_chain(stages: list[Stage], record: SinkRecord) -> SinkRecord | None:
    """The record after every stage, or None if one dropped it; a stage's exception comes
    out as StageFailed naming the stage."""
    for stage in stages:
        try:
            result = stage.apply(record)
        except Exception as exc:  # Connect tolerates any exception of a transform
            raise StageFailed(stage, exc) from exc
        if result is None:
            return None
        record = result
    return record

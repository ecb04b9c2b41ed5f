"""How `config/validate` (and create/update) checks `transforms.*` and `predicates.*`:
Connect's `ConnectorConfig.enrich` in validation mode.

Each alias gets a required `type` key (`Class ... could not be found.`, abstract classes
and classes of the wrong kind are errors on it); a transform whose class resolves also
gets `predicate` and `negate`, and its own keys are embedded under the alias prefix,
in group `Transforms: <alias>`, checked as Kafka's `ConfigDef.validate` checks them: a
missing required key is reported, and its validator still runs (on null), with the
unprefixed key name, as Connect's embedded validators do. Which predicate a transform
names is not checked here (Connect neither): a task fails at start on an unknown one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from tote.connect.configdef import (
    NO_DEFAULT,
    ConfigDef,
    ConfigKey,
    ConfigType,
    ConfigValue,
    Importance,
    Width,
    parse_value,
)
from tote.connect.errors import ConfigException
from tote.connect.transforms.base import PREDICATES, TRANSFORMS, Predicate, Transformation
from tote.connect.transforms.catalog import (
    PREDICATE,
    TRANSFORMATION,
    abstract_choices,
    canonical_name,
)
from tote.connect.transforms.chain import NEGATE_KEY, PREDICATE_KEY, aliases

_IMPORTANCE = {Importance.HIGH: 0, Importance.MEDIUM: 1, Importance.LOW: 2}
_GATE_KEYS = (
    ConfigKey(PREDICATE_KEY, ConfigType.STRING, None, Importance.MEDIUM,
              "The alias of a predicate used to determine whether to apply this "
              "transformation."),
    ConfigKey(NEGATE_KEY, ConfigType.BOOLEAN, False, Importance.MEDIUM,
              "Whether the configured predicate should be negated."),
)


def _missing(name: str) -> str:
    return f"Missing required configuration \"{name}\" which has no default value."


def _check(key: ConfigKey, props: Mapping[str, Any], prefix: str) -> ConfigValue:
    """Kafka's `parseForValidate` of one embedded key."""
    errors: list[str] = []
    value: Any = None
    if key.name in props:
        try:
            value = parse_value(key.name, props[key.name], key.type)
        except ConfigException as exc:
            errors.append(exc.message)
    elif key.required:
        errors.append(_missing(key.name))
    else:
        value = key.default
    if key.validator is not None and (value is not None or key.required):
        try:
            key.validator(key.name[len(prefix):], value)
        except ConfigException as exc:
            errors.append(exc.message)
    return ConfigValue(key.name, value, errors, key.recommended)


def _sorted(keys: list[ConfigKey]) -> list[ConfigKey]:
    """Kafka's `ConfigDef.sortedConfigs` for keys without groups: order in group, required
    first, importance, name."""
    return sorted(keys, key=lambda k: (k.order, not k.required, _IMPORTANCE[k.importance],
                                       k.name))


class _Kind:
    def __init__(self, kind: str, config: str,
                 table: Mapping[str, type[Transformation] | type[Predicate]]) -> None:
        self.kind, self.config, self.table = kind, config, table
        self.other: Mapping[str, type] = PREDICATES if kind == TRANSFORMATION else TRANSFORMS

    def type_error(self, name: str) -> str | None:
        """Connect's `getConfigDefFromConfigProvidingClass` checks of a class that loads."""
        if name in self.other:
            interface = self.kind
            return f"Class class {name} does not implement the {interface} interface"
        choices = abstract_choices(name, self.kind)
        if choices:
            return ("This class is abstract and cannot be created. Did you mean "
                    f"{', '.join(choices)}?")
        return None

    def enrich(self, props: Mapping[str, str], definition: ConfigDef,
               values: dict[str, ConfigValue]) -> None:
        for alias in aliases(props, self.config):
            prefix, group = f"{self.config}.{alias}.", f"{self.config.capitalize()}: {alias}"
            type_key = ConfigKey(
                prefix + "type", ConfigType.CLASS, NO_DEFAULT, Importance.HIGH,
                f"Class for the '{alias}' {self.kind.lower()}.", group, 0, Width.LONG,
                f"{self.kind} type for {alias}",
                recommended=tuple(sorted({canonical_name(c) for c in self.table.values()})))
            definition.add(type_key)
            errors: list[str] = []
            raw = props.get(type_key.name)
            cls, shown, problem = None, None, None
            if raw is None:
                errors.append(_missing(type_key.name))
            else:
                name = raw.strip()
                cls = self.table.get(name)
                problem = None if cls is not None else self.type_error(name)
                if cls is not None:
                    shown = canonical_name(cls)
                elif problem is not None:
                    shown = name  # it loads, but cannot be used here
                else:
                    errors.append(f"Invalid value {name} for configuration {type_key.name}: "
                                  f"Class {name} could not be found.")
            negate, gate = prefix + NEGATE_KEY, prefix + PREDICATE_KEY
            if self.kind == TRANSFORMATION and negate in props and gate not in props:
                errors.append(f"Config '{negate}' was provided but there is no config "
                              f"'{gate}' defining a predicate to be negated.")
            if problem is not None:
                errors.append(problem)
            values[type_key.name] = ConfigValue(type_key.name, shown, errors,
                                                type_key.recommended)
            if cls is None:
                continue  # Connect embeds nothing for a class it cannot load
            own = [k for k in cls.config_def.keys.values()
                   if self.kind != TRANSFORMATION or k.name not in (PREDICATE_KEY, NEGATE_KEY)]
            if self.kind == TRANSFORMATION:
                own = [*_GATE_KEYS, *own]
            for order, key in enumerate(_sorted(own), start=1):
                embedded = dataclasses.replace(
                    key, name=prefix + key.name, order=order,
                    group=group + (f": {key.group}" if key.group else ""))
                definition.add(embedded)
                values[embedded.name] = _check(embedded, props, prefix)


TRANSFORM_KIND = _Kind(TRANSFORMATION, "transforms", TRANSFORMS)
PREDICATE_KIND = _Kind(PREDICATE, "predicates", PREDICATES)


def enrich(props: Mapping[str, str]) -> tuple[ConfigDef, dict[str, ConfigValue]]:
    """The keys the `transforms` and `predicates` aliases add, and their checked values."""
    definition = ConfigDef()
    values: dict[str, ConfigValue] = {}
    for kind in (TRANSFORM_KIND, PREDICATE_KIND):
        try:
            kind.enrich(props, definition, values)
        except ConfigException:
            continue  # a bad alias list: the `transforms` key itself reports it
    return definition, values


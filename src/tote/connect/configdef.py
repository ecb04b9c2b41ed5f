"""Kafka's ConfigDef, small: typed config keys with defaults, validators and documentation.

Connectors declare their keys here; the worker parses a connector's string map with
them (first error raises `ConfigException`), and `config/validate` reports every key's
errors at once in Connect's `ConfigInfos` shape. Messages are Kafka's own wording
(`Invalid value x for configuration k: ...`, `Missing required configuration ...`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tote.connect.errors import ConfigException


class ConfigType(Enum):
    BOOLEAN = "BOOLEAN"
    STRING = "STRING"
    INT = "INT"
    SHORT = "SHORT"
    LONG = "LONG"
    DOUBLE = "DOUBLE"
    LIST = "LIST"
    CLASS = "CLASS"
    PASSWORD = "PASSWORD"


class Importance(Enum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class Width(Enum):
    NONE = "NONE"
    SHORT = "SHORT"
    MEDIUM = "MEDIUM"
    LONG = "LONG"


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
HIDDEN = "[hidden]"
Validator = Callable[[str, Any], None]


def invalid(name: str, value: Any, why: str) -> ConfigException:
    """Kafka's `ConfigException(name, value, message)`."""
    return ConfigException(f"Invalid value {render(value)} for configuration {name}: {why}")


def render(value: Any, kind: ConfigType | None = None) -> str | None:
    """Kafka's `ConfigDef.convertToString`: how values appear in REST answers."""
    if value is None:
        return None
    if kind is ConfigType.PASSWORD:
        return HIDDEN
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


_INT_RANGES = {ConfigType.INT: (-(2**31), 2**31 - 1), ConfigType.SHORT: (-(2**15), 2**15 - 1),
               ConfigType.LONG: (-(2**63), 2**63 - 1)}


def parse_value(name: str, raw: Any, kind: ConfigType) -> Any:
    """A string (or JSON scalar) parsed to the key's type, Kafka's way."""
    if raw is None:
        return None
    text = raw.strip() if isinstance(raw, str) else raw
    if kind is ConfigType.BOOLEAN:
        if isinstance(text, bool):
            return text
        if isinstance(text, str) and text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise invalid(name, raw, "Expected value to be either true or false")
    if kind in _INT_RANGES:
        try:
            number = int(text)
        except (TypeError, ValueError):
            raise invalid(name, raw, f"Not a number of type {kind.value}") from None
        low, high = _INT_RANGES[kind]
        if not low <= number <= high:
            raise invalid(name, raw, f"Not a number of type {kind.value}")
        return number
    if kind is ConfigType.DOUBLE:
        try:
            return float(text)
        except (TypeError, ValueError):
            raise invalid(name, raw, "Not a number of type DOUBLE") from None
    if kind is ConfigType.LIST:
        if isinstance(text, (list, tuple)):
            return [str(v).strip() for v in text]
        text = str(text)
        return [part.strip() for part in text.split(",")] if text else []
    return str(text) if kind is not ConfigType.PASSWORD else str(raw)


# -- validators (raise ConfigException) -----------------------------------------------------


def at_least(minimum: int) -> Validator:
    def check(name: str, value: Any) -> None:
        if value is not None and value < minimum:
            raise invalid(name, value, f"Value must be at least {minimum}")
    return check


def one_of(*choices: str, case_insensitive: bool = True, message: str | None = None
           ) -> Validator:
    allowed = {c.lower() for c in choices} if case_insensitive else set(choices)

    def check(name: str, value: Any) -> None:
        probe = value.lower() if case_insensitive and isinstance(value, str) else value
        if probe not in allowed:
            raise invalid(name, value, message or f"String must be one of: {', '.join(choices)}")
    return check


def non_empty_string(name: str, value: Any) -> None:
    if value is not None and not str(value).strip():
        raise invalid(name, value, "String must be non-empty")


@dataclass(frozen=True)
class ConfigKey:
    """One key: its type, default (`NO_DEFAULT` = required) and how the UI shows it."""

    name: str
    type: ConfigType
    default: Any
    importance: Importance
    documentation: str
    group: str | None = None
    order: int = -1
    width: Width = Width.NONE
    display_name: str | None = None
    validator: Validator | None = None
    recommended: tuple[str, ...] = ()
    dependents: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    def definition(self) -> dict[str, Any]:
        """Connect's `ConfigKeyInfo`."""
        return {
            "name": self.name, "type": self.type.value, "required": self.required,
            "default_value": None if self.required else render(self.default, self.type),
            "importance": self.importance.value, "documentation": self.documentation,
            "group": self.group, "width": self.width.value,
            "display_name": self.display_name or self.name,
            "dependents": list(self.dependents), "order": self.order,
        }


@dataclass
class ConfigValue:
    """A validated key: its value and the errors found (Connect's `ConfigValue`)."""

    name: str
    value: Any
    errors: list[str] = field(default_factory=list)
    recommended: tuple[str, ...] = ()
    visible: bool = True

    def info(self, kind: ConfigType | None) -> dict[str, Any]:
        return {"name": self.name, "value": render(self.value, kind),
                "recommended_values": list(self.recommended), "errors": list(self.errors),
                "visible": self.visible}


class ConfigDef:
    """An ordered set of keys, in groups."""

    def __init__(self, keys: Iterable[ConfigKey] = ()) -> None:
        self.keys: dict[str, ConfigKey] = {}
        self.groups: list[str] = []
        for key in keys:
            self.add(key)

    def add(self, key: ConfigKey) -> None:
        if key.name in self.keys:
            raise ConfigException(f"Configuration {key.name} is defined twice.")
        self.keys[key.name] = key
        if key.group and key.group not in self.groups:
            self.groups.append(key.group)

    def merged(self, other: ConfigDef) -> ConfigDef:
        out = ConfigDef(self.keys.values())
        for key in other.keys.values():
            if key.name not in out.keys:
                out.add(key)
        return out

    def _value(self, key: ConfigKey, props: Mapping[str, Any]) -> Any:
        if key.name in props:
            value = parse_value(key.name, props[key.name], key.type)
        elif key.required:
            raise ConfigException(
                f"Missing required configuration \"{key.name}\" which has no default value.")
        else:
            value = key.default
        if key.validator is not None and (key.name in props or not key.required):
            key.validator(key.name, value)
        return value

    def parse(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Every key's value; raises ConfigException at the first bad one."""
        return {name: self._value(key, props) for name, key in self.keys.items()}

    def validate(self, props: Mapping[str, Any]) -> dict[str, ConfigValue]:
        """Every key's value with its errors (none raised)."""
        out: dict[str, ConfigValue] = {}
        for name, key in self.keys.items():
            try:
                value = self._value(key, props)
                out[name] = ConfigValue(name, value, recommended=key.recommended)
            except ConfigException as exc:
                out[name] = ConfigValue(name, props.get(name), [exc.message], key.recommended)
        return out


def config_infos(class_name: str, definition: ConfigDef, values: Mapping[str, ConfigValue],
                 extra_groups: Sequence[str] = ()) -> dict[str, Any]:
    """Connect's `ConfigInfos` body: every defined key, then values of undefined ones."""
    configs: list[dict[str, Any]] = []
    error_count = 0
    for name, value in values.items():
        if name not in definition.keys:
            configs.append({"definition": None, "value": value.info(None)})
            error_count += len(value.errors)
    for name, key in definition.keys.items():
        found = values.get(name)
        if found is not None:
            error_count += len(found.errors)
        configs.append({"definition": key.definition(),
                        "value": found.info(key.type) if found is not None else None})
    groups = list(definition.groups)
    groups += [g for g in extra_groups if g not in groups]
    return {"name": class_name, "error_count": error_count, "groups": groups,
            "configs": configs}


def all_errors(values: Mapping[str, ConfigValue]) -> list[str]:
    return [error for value in values.values() for error in value.errors]

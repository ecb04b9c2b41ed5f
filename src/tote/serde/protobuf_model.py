"""A small `.proto` parser: enough of proto2/proto3 to store, normalise and diff schemas.

The registry never encodes protobuf itself; it needs to know that a schema parses, what
its messages, fields (by tag), oneofs and enums are, and a stable rendering for
`?normalize=true` (laid out like the Wire formatter the Schema Registry uses).
"""

from __future__ import annotations

import re

from tote.serde.errors import InvalidSchema
from tote.serde.protobuf_types import (
    EnumValue,
    Message,
    OneOf,
    Option,
    ProtoEnum,
    ProtoField,
    ProtoFile,
    Service,
)

SCALARS = frozenset({"double", "float", "int32", "int64", "uint32", "uint64", "sint32",
                     "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string",
                     "bytes"})

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))
  | (?P<ident>\.?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<symbol>[{}\[\]()<>;,=:])
""", re.VERBOSE | re.DOTALL)


class _Tokens:
    def __init__(self, text: str) -> None:
        self.items: list[str] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                raise InvalidSchema(f"unexpected character {text[pos]!r} at offset {pos}")
            if match.lastgroup not in ("ws", "comment"):
                self.items.append(match.group())
            pos = match.end()
        self.pos = 0

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.items[index] if index < len(self.items) else ""

    def next(self) -> str:
        token = self.peek()
        if not token:
            raise InvalidSchema("unexpected end of schema")
        self.pos += 1
        return token

    def expect(self, token: str) -> None:
        got = self.next()
        if got != token:
            raise InvalidSchema(f"expected '{token}' but found '{got}'")

    def accept(self, token: str) -> bool:
        if self.peek() == token:
            self.pos += 1
            return True
        return False

    def ident(self) -> str:
        token = self.next()
        if not (token[0].isalpha() or token[0] in "_."):
            raise InvalidSchema(f"expected a name but found '{token}'")
        return token

    def integer(self) -> int:
        token = self.next()
        try:
            return int(token, 0)
        except ValueError:
            if token == "max":
                return 536870911
            raise InvalidSchema(f"expected a number but found '{token}'") from None


def parse_proto(text: str) -> ProtoFile:
    """Parse `.proto` text; raise InvalidSchema naming the first problem."""
    tokens = _Tokens(text)
    proto = ProtoFile()
    while tokens.peek():
        word = tokens.next()
        if word == ";":
            continue
        if word in ("syntax", "edition"):
            tokens.expect("=")
            proto.syntax = tokens.next().strip("\"'")
            tokens.expect(";")
        elif word == "package":
            proto.package = tokens.ident()
            tokens.expect(";")
        elif word == "import":
            modifier = tokens.next() if tokens.peek() in ("public", "weak") else ""
            path = tokens.next()
            tokens.expect(";")
            proto.imports.append(f"import {modifier + ' ' if modifier else ''}{path};")
        elif word == "option":
            proto.options.append(_option(tokens))
            tokens.expect(";")
        elif word == "message":
            msg = _message(tokens)
            proto.messages.append(msg)
            proto.order.append(msg.name)
        elif word == "enum":
            enum = _enum(tokens)
            proto.enums.append(enum)
            proto.order.append(enum.name)
        elif word == "service":
            proto.services.append(_service(tokens))
        elif word == "extend":
            proto.extends.append(_raw_block(tokens, "extend"))
        else:
            raise InvalidSchema(f"unexpected '{word}' at top level")
    if proto.syntax not in (None, "proto2", "proto3", "2023", "2024"):
        raise InvalidSchema(f"unknown syntax '{proto.syntax}'")
    return proto


def _option(tokens: _Tokens) -> Option:
    name_parts = []
    while tokens.peek() != "=":
        name_parts.append(tokens.next())
    tokens.expect("=")
    return Option("".join(name_parts), _value(tokens))


def _value(tokens: _Tokens) -> str:
    if tokens.peek() != "{":
        value = tokens.next()
        while tokens.peek().startswith(("\"", "'")) and value[:1] in "\"'":
            value = value[:-1] + tokens.next()[1:]  # adjacent string literals concatenate
        return value
    depth, parts = 0, []
    while True:
        token = tokens.next()
        depth += token == "{"
        depth -= token == "}"
        parts.append(token)
        if depth == 0:
            return " ".join(parts)


def _options_list(tokens: _Tokens) -> list[Option]:
    options: list[Option] = []
    if tokens.accept("["):
        while True:
            options.append(_option(tokens))
            if tokens.accept("]"):
                return options
            tokens.expect(",")
    return options


def _field(tokens: _Tokens, first: str) -> ProtoField:
    label: str | None = None
    type_name = first
    if first in ("optional", "required", "repeated"):
        label, type_name = first, tokens.ident()
    if type_name == "map":
        tokens.expect("<")
        key = tokens.ident()
        tokens.expect(",")
        value = tokens.ident()
        tokens.expect(">")
        type_name = f"map<{key}, {value}>"
    name = tokens.ident()
    tokens.expect("=")
    tag = tokens.integer()
    if not 1 <= tag <= 536870911:
        raise InvalidSchema(f"field '{name}' has invalid number {tag}")
    options = _options_list(tokens)
    tokens.expect(";")
    return ProtoField(label, type_name, name, tag, options)


def _ranges(tokens: _Tokens) -> list[str]:
    items: list[str] = []
    while not tokens.accept(";"):
        token = tokens.next()
        if token == ",":
            continue
        if tokens.peek() == "to":
            tokens.next()
            token = f"{token} to {tokens.next()}"
        items.append(token)
    return items


def _message(tokens: _Tokens) -> Message:
    msg = Message(tokens.ident())
    tokens.expect("{")
    while not tokens.accept("}"):
        word = tokens.next()
        if word == ";":
            continue
        if word == "message":
            nested = _message(tokens)
            msg.messages.append(nested)
            msg.order.append(nested.name)
        elif word == "enum":
            enum = _enum(tokens)
            msg.enums.append(enum)
            msg.order.append(enum.name)
        elif word == "oneof":
            msg.oneofs.append(_oneof(tokens))
        elif word == "option":
            msg.options.append(_option(tokens))
            tokens.expect(";")
        elif word == "reserved":
            msg.reserved.append(", ".join(_ranges(tokens)))
        elif word == "extensions":
            msg.extensions.append(", ".join(_ranges(tokens)))
        elif word == "extend":
            _raw_block(tokens, "extend")
        else:
            msg.fields.append(_field(tokens, word))
    _check_tags(msg)
    return msg


def _check_tags(msg: Message) -> None:
    seen: dict[int, str] = {}
    names: set[str] = set()
    for fld, _ in msg.all_fields():
        if fld.tag in seen:
            raise InvalidSchema(f"field number {fld.tag} is used by both '{seen[fld.tag]}' "
                                f"and '{fld.name}' in message {msg.name}")
        if fld.name in names:
            raise InvalidSchema(f"field name '{fld.name}' is used twice in message {msg.name}")
        seen[fld.tag] = fld.name
        names.add(fld.name)


def _oneof(tokens: _Tokens) -> OneOf:
    oneof = OneOf(tokens.ident())
    tokens.expect("{")
    while not tokens.accept("}"):
        word = tokens.next()
        if word == "option":
            oneof.options.append(_option(tokens))
            tokens.expect(";")
        elif word != ";":
            oneof.fields.append(_field(tokens, word))
    return oneof


def _enum(tokens: _Tokens) -> ProtoEnum:
    enum = ProtoEnum(tokens.ident())
    tokens.expect("{")
    while not tokens.accept("}"):
        word = tokens.next()
        if word == ";":
            continue
        if word == "option":
            enum.options.append(_option(tokens))
            tokens.expect(";")
        elif word == "reserved":
            enum.reserved.append(", ".join(_ranges(tokens)))
        else:
            tokens.expect("=")
            number = tokens.integer()
            options = _options_list(tokens)
            tokens.expect(";")
            enum.values.append(EnumValue(word, number, options))
    return enum


def _service(tokens: _Tokens) -> Service:
    service = Service(tokens.ident())
    tokens.expect("{")
    while not tokens.accept("}"):
        word = tokens.next()
        if word == "option":
            service.text.append(f"option {_option(tokens).render()};")
            tokens.expect(";")
        elif word == "rpc":
            service.text.append(_rpc(tokens))
        elif word != ";":
            raise InvalidSchema(f"unexpected '{word}' in service {service.name}")
    return service


def _rpc(tokens: _Tokens) -> str:
    name = tokens.ident()
    parts = [f"rpc {name} ("]
    tokens.expect("(")
    if tokens.peek() == "stream":
        parts.append(tokens.next() + " ")
    parts.append(tokens.ident() + ") returns (")
    tokens.expect(")")
    if tokens.next() != "returns":
        raise InvalidSchema(f"expected 'returns' in rpc {name}")
    tokens.expect("(")
    if tokens.peek() == "stream":
        parts.append(tokens.next() + " ")
    parts.append(tokens.ident() + ")")
    tokens.expect(")")
    if tokens.accept("{"):
        options = []
        while not tokens.accept("}"):
            word = tokens.next()
            if word == "option":
                options.append(f"option {_option(tokens).render()};")
                tokens.expect(";")
        return "".join(parts) + (" {\n    " + "\n    ".join(options) + "\n  };"
                                 if options else ";")
    tokens.expect(";")
    return "".join(parts) + ";"


def _raw_block(tokens: _Tokens, keyword: str) -> str:
    parts = [keyword]
    depth = 0
    while True:
        token = tokens.next()
        parts.append(token)
        depth += token == "{"
        depth -= token == "}"
        if token == "}" and depth == 0:
            return " ".join(parts)

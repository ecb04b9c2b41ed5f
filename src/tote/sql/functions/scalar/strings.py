"""STRING functions (ksqlDB's udf/string): concatenation, case, trimming, padding, search."""

from __future__ import annotations

import uuid
from typing import Any

from tote.sql.functions.base import ScalarFunction, scalar, variant

CATEGORY = "STRING"


def java_trim(text: str) -> str:
    """Java's String.trim: strips characters up to U+0020 from both ends."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def _ltrim(text: str) -> str:
    start = 0
    while start < len(text) and text[start] <= " ":
        start += 1
    return text[start:]


def _rtrim(text: str) -> str:
    end = len(text)
    while end > 0 and text[end - 1] <= " ":
        end -= 1
    return text[:end]


def _start(length: int, pos: int) -> int:
    return max(length + pos, 0) if pos < 0 else max(min(pos - 1, length), 0)


def substring(value: Any, pos: int, length: int | None = None) -> Any:
    start = _start(len(value), pos)
    if length is None:
        return value[start:]
    return value[start : max(min(start + length, len(value)), start)]


def _concat(*parts: Any) -> Any:
    items = [p for p in parts if p is not None]
    if items and isinstance(items[0], bytes):
        return b"".join(items)
    return "".join(items)


def _concat_ws(separator: Any, *parts: Any) -> Any:
    if separator is None:
        return None
    return separator.join(p for p in parts if p is not None)


def _split(value: Any, delimiter: Any) -> list[Any]:
    if not delimiter:
        if not value:  # as ksqlDB: an empty input splits into one empty element
            return [value]
        return list(value) if isinstance(value, str) else [bytes([b]) for b in value]
    parts: list[Any] = value.split(delimiter)
    return parts


def _split_to_map(value: str, entry: str, kv: str) -> dict[str, str] | None:
    """As ksqlDB: an entry's value is what lies between its first and second `kv`
    delimiter (the rest is dropped); empty or equal delimiters give NULL."""
    if not entry or not kv or entry == kv:
        return None
    result: dict[str, str] = {}
    for item in value.split(entry):
        if kv in item:
            parts = item.split(kv, 2)
            result[parts[0]] = parts[1]
    return result


def _instr(text: str, sub: str, position: int = 1, occurrence: int = 1) -> int:
    if abs(position) > len(text):
        return 0
    if position < 0:
        rev, rsub = text[::-1], sub[::-1]
        found = _nth(rev[-position - 1 :], rsub, occurrence)
        return 0 if found < 0 else len(text) + position - found - len(sub) + 2
    found = _nth(text[position - 1 :], sub, occurrence)
    return 0 if found < 0 else found + position


def _nth(text: str, sub: str, occurrence: int) -> int:
    index = -1
    for _ in range(max(occurrence, 1)):
        index = text.find(sub, index + 1)
        if index < 0:
            return -1
    return index


def _lpad(value: Any, length: int, padding: Any) -> Any:
    if not padding or length < 0:
        return None
    fill = max(length - len(value), 0)
    return ((padding * (fill // len(padding) + 1))[:fill] + value)[:length]


def _rpad(value: Any, length: int, padding: Any) -> Any:
    if not padding or length < 0:
        return None
    fill = max(length - len(value), 0)
    return (value + (padding * (fill // len(padding) + 1))[:fill])[:length]


def _initcap(text: str) -> str:
    out: list[str] = []
    start_of_word = True
    for ch in text.lower():
        if ch.isspace():
            start_of_word = True
            out.append(ch)
        elif start_of_word:
            out.append(ch.upper())
            start_of_word = False
        else:
            out.append(ch)
    return "".join(out)


def _chr(code: Any) -> str | None:
    if isinstance(code, int):
        return chr(code) if 0 <= code <= 0x10FFFF else None
    if len(code) < 6 or not code.startswith("\\u"):
        return None
    try:
        decoded: str = (
            code.encode("ascii")
            .decode("unicode_escape")
            .encode("utf-16", "surrogatepass")
            .decode("utf-16")
        )
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    return decoded


def _elt(n: int, *args: Any) -> Any:
    return args[n - 1] if 1 <= n <= len(args) else None


def _field(value: Any, *args: Any) -> int:
    if value is None:
        return 0
    for i, arg in enumerate(args):
        if arg == value:
            return i + 1
    return 0


def _uuid(value: bytes | None = None) -> str | None:
    if value is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(bytes=value)) if len(value) == 16 else None


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "CONCAT",
            CATEGORY,
            "Concatenate an arbitrary number of string or bytes values.",
            variant("STRING... inputs -> STRING", _concat, strict=False),
            variant("BYTES... inputs -> BYTES", _concat, strict=False),
        ),
        scalar(
            "CONCAT_WS",
            CATEGORY,
            "Concatenate values with a separator, skipping NULLs.",
            variant("STRING separator, STRING... inputs -> STRING", _concat_ws, strict=False),
            variant("BYTES separator, BYTES... inputs -> BYTES", _concat_ws, strict=False),
        ),
        scalar(
            "UCASE",
            CATEGORY,
            "Returns the string in upper case.",
            variant("STRING input -> STRING", str.upper),
        ),
        scalar(
            "LCASE",
            CATEGORY,
            "Returns the string in lower case.",
            variant("STRING input -> STRING", str.lower),
        ),
        scalar(
            "TRIM",
            CATEGORY,
            "Removes leading and trailing whitespace.",
            variant("STRING input -> STRING", java_trim),
        ),
        scalar(
            "LTRIM",
            CATEGORY,
            "Removes leading whitespace.",
            variant("STRING input -> STRING", _ltrim),
        ),
        scalar(
            "RTRIM",
            CATEGORY,
            "Removes trailing whitespace.",
            variant("STRING input -> STRING", _rtrim),
        ),
        scalar(
            "LEN",
            CATEGORY,
            "The length of a string or bytes value.",
            variant("STRING input -> INT", len),
            variant("BYTES input -> INT", len),
        ),
        scalar(
            "SUBSTRING",
            CATEGORY,
            "The portion of a string or bytes from a 1-based position.",
            variant("STRING str, INT pos -> STRING", substring),
            variant("STRING str, INT pos, INT length -> STRING", substring),
            variant("BYTES str, INT pos -> BYTES", substring),
            variant("BYTES str, INT pos, INT length -> BYTES", substring),
        ),
        scalar(
            "REPLACE",
            CATEGORY,
            "Replaces every occurrence of a substring.",
            variant("STRING str, STRING target, STRING replacement -> STRING", str.replace),
        ),
        scalar(
            "SPLIT",
            CATEGORY,
            "Splits a string or bytes value by a literal delimiter.",
            variant("STRING input, STRING delimiter -> ARRAY<STRING>", _split),
            variant("BYTES input, BYTES delimiter -> ARRAY<BYTES>", _split),
        ),
        scalar(
            "SPLIT_TO_MAP",
            CATEGORY,
            "Splits a string into key-value pairs.",
            variant(
                "STRING input, STRING entryDelimiter, STRING kvDelimiter -> MAP<STRING, STRING>",
                _split_to_map,
            ),
        ),
        scalar(
            "INSTR",
            CATEGORY,
            "The 1-based position of a substring, 0 if absent.",
            variant("STRING str, STRING substring -> INT", _instr),
            variant("STRING str, STRING substring, INT position -> INT", _instr),
            variant("STRING str, STRING substring, INT position, INT occurrence -> INT", _instr),
        ),
        scalar(
            "LPAD",
            CATEGORY,
            "Pads the input on the left to the given length.",
            variant("STRING input, INT length, STRING padding -> STRING", _lpad),
            variant("BYTES input, INT length, BYTES padding -> BYTES", _lpad),
        ),
        scalar(
            "RPAD",
            CATEGORY,
            "Pads the input on the right to the given length.",
            variant("STRING input, INT length, STRING padding -> STRING", _rpad),
            variant("BYTES input, INT length, BYTES padding -> BYTES", _rpad),
        ),
        scalar(
            "INITCAP",
            CATEGORY,
            "Capitalizes the first letter of each word.",
            variant("STRING input -> STRING", _initcap),
        ),
        scalar(
            "CHR",
            CATEGORY,
            "The character for a code point or a \\uXXXX escape.",
            variant("INT decimalCode -> STRING", _chr),
            variant("STRING utf16Code -> STRING", _chr),
        ),
        scalar(
            "ELT",
            CATEGORY,
            "The Nth of the given strings (1-based).",
            variant("INT n, STRING... args -> STRING", _elt, strict=False),
        ),
        scalar(
            "FIELD",
            CATEGORY,
            "The 1-based position of str among the arguments, 0 if absent.",
            variant("STRING str, STRING... args -> INT", _field, strict=False),
        ),
        scalar(
            "UUID",
            CATEGORY,
            "A random UUID, or the UUID of 16 bytes.",
            variant("-> STRING", _uuid, strict=False),
            variant("BYTES bytes -> STRING", _uuid),
        ),
    ]

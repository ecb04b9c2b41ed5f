"""The MASK family: replace letters and digits by mask characters (ksqlDB's Masker)."""

from __future__ import annotations

import unicodedata
from typing import Any

from tote.sql.functions.base import ScalarFunction, scalar, variant

CATEGORY = "STRING"
MASK_PARAMS = "STRING upper, STRING lower, STRING digit, STRING other"

_DEFAULT_MASKS = ("X", "x", "n", "-")


def _mask_char(ch: str, masks: tuple[str | None, ...]) -> str:
    category = unicodedata.category(ch)
    slot = {"Lu": 0, "Ll": 1, "Nd": 2}.get(category, 3)
    replacement = masks[slot]
    return ch if replacement is None else replacement


def _masks(*given: Any) -> tuple[str | None, ...]:
    for mask in given:
        if mask is not None and len(mask) != 1:
            raise ValueError(
                f"Invalid mask character. Must be only single character, but was '{mask}'"
            )
    return tuple(given) if given else _DEFAULT_MASKS


def _mask_range(text: str, lo: int, hi: int, masks: tuple[str | None, ...]) -> str:
    return "".join(_mask_char(c, masks) if lo <= i < hi else c for i, c in enumerate(text))


def _mask(text: str, *masks: Any) -> str | None:
    if text is None:
        return None
    return _mask_range(text, 0, len(text), _masks(*masks))


def _count(n: int, name: str) -> int:
    if n < 0:
        raise ValueError(
            f"function {name} requires a non-negative number of characters to mask or skip"
        )
    return n


def _mask_left(text: str, n: int, *masks: Any) -> str | None:
    if text is None or n is None:
        return None
    return _mask_range(text, 0, _count(n, "mask_left"), _masks(*masks))


def _mask_right(text: str, n: int, *masks: Any) -> str | None:
    if text is None or n is None:
        return None
    return _mask_range(text, len(text) - _count(n, "mask_right"), len(text), _masks(*masks))


def _mask_keep_left(text: str, n: int, *masks: Any) -> str | None:
    if text is None or n is None:
        return None
    return _mask_range(text, _count(n, "mask_keep_left"), len(text), _masks(*masks))


def _mask_keep_right(text: str, n: int, *masks: Any) -> str | None:
    if text is None or n is None:
        return None
    return _mask_range(text, 0, len(text) - _count(n, "mask_keep_right"), _masks(*masks))


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "MASK",
            CATEGORY,
            "Masks all characters.",
            variant("STRING input -> STRING", _mask),
            variant(f"STRING input, {MASK_PARAMS} -> STRING", _mask, strict=False),
        ),
        scalar(
            "MASK_LEFT",
            CATEGORY,
            "Masks the first n characters.",
            variant("STRING input, INT numChars -> STRING", _mask_left),
            variant(
                f"STRING input, INT numChars, {MASK_PARAMS} -> STRING", _mask_left, strict=False
            ),
        ),
        scalar(
            "MASK_RIGHT",
            CATEGORY,
            "Masks the last n characters.",
            variant("STRING input, INT numChars -> STRING", _mask_right),
            variant(
                f"STRING input, INT numChars, {MASK_PARAMS} -> STRING", _mask_right, strict=False
            ),
        ),
        scalar(
            "MASK_KEEP_LEFT",
            CATEGORY,
            "Masks all but the first n characters.",
            variant("STRING input, INT numChars -> STRING", _mask_keep_left),
            variant(
                f"STRING input, INT numChars, {MASK_PARAMS} -> STRING",
                _mask_keep_left,
                strict=False,
            ),
        ),
        scalar(
            "MASK_KEEP_RIGHT",
            CATEGORY,
            "Masks all but the last n characters.",
            variant("STRING input, INT numChars -> STRING", _mask_keep_right),
            variant(
                f"STRING input, INT numChars, {MASK_PARAMS} -> STRING",
                _mask_keep_right,
                strict=False,
            ),
        ),
    ]

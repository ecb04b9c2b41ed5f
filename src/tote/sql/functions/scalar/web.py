"""URL functions, GEO_DISTANCE and MD5 (ksqlDB's udf/url, udf/geo, MD5)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote_plus, unquote_plus, urlsplit

from tote.sql.functions.base import ScalarFunction, scalar, variant

URL = "URL"
_RADIUS = {"MI": 3959.0, "MILES": 3959.0, "KM": 6371.0, "KILOMETERS": 6371.0}


def _url_part(pick: Callable[[Any], Any]) -> Callable[[str], Any]:
    def run(url: str) -> Any:
        try:
            parts = urlsplit(url)
            value = pick(parts)
        except ValueError:
            return None
        return value if value not in ("", None) else None

    return run


def _path(url: str) -> str | None:
    """Java's URI.getPath: empty (not NULL) when a hierarchical URL has no path; NULL for
    an opaque one (`mailto:x`), which has no path at all."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme and not url[len(parts.scheme) + 1:].startswith("/"):
        return None
    return parts.path


def _parameter(url: str, name: str) -> str | None:
    try:
        values = parse_qs(urlsplit(url).query, keep_blank_values=True).get(name)
    except ValueError:
        return None
    return values[0] if values else None


def _geo_distance(lat1: Any, lon1: Any, lat2: Any, lon2: Any, unit: str | None = "KM"
                  ) -> float | None:
    """Haversine distance; a NULL or blank unit means KM, as in ksqlDB."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    for lat in (lat1, lat2):
        if not -90 <= lat <= 90:
            raise ValueError(
                "valid latitude values for GeoDistance function are in the range of "
                "-90 to 90 decimal degrees"
            )
    for lon in (lon1, lon2):
        if not -180 <= lon <= 180:
            raise ValueError(
                "valid longitude values for GeoDistance function are in the range of "
                "-180 to +180 decimal degrees"
            )
    radius = _RADIUS["KM"] if unit is None or not unit.strip() else \
        _RADIUS.get(unit.strip().upper())
    if radius is None:
        raise ValueError(
            "GeoDistance function units parameter must be one of MI, MILES, KM, KILOMETERS"
        )
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "URL_DECODE_PARAM",
            URL,
            "Unescapes an application/x-www-form-urlencoded value.",
            variant("STRING input -> STRING", unquote_plus),
        ),
        scalar(
            "URL_ENCODE_PARAM",
            URL,
            "Escapes a value as application/x-www-form-urlencoded.",
            variant("STRING input -> STRING", lambda s: quote_plus(s, safe="*")),
        ),
        scalar(
            "URL_EXTRACT_FRAGMENT",
            URL,
            "The fragment of a URL.",
            variant("STRING input -> STRING", _url_part(lambda p: p.fragment)),
        ),
        scalar(
            "URL_EXTRACT_HOST",
            URL,
            "The host of a URL.",
            variant("STRING input -> STRING", _url_part(lambda p: p.hostname)),
        ),
        scalar(
            "URL_EXTRACT_PARAMETER",
            URL,
            "The first value of a query parameter of a URL.",
            variant("STRING input, STRING paramToFind -> STRING", _parameter),
        ),
        scalar(
            "URL_EXTRACT_PATH",
            URL,
            "The path of a URL.",
            variant("STRING input -> STRING", _path),
        ),
        scalar(
            "URL_EXTRACT_PORT",
            URL,
            "The port of a URL.",
            variant("STRING input -> INT", _url_part(lambda p: p.port)),
        ),
        scalar(
            "URL_EXTRACT_PROTOCOL",
            URL,
            "The protocol (scheme) of a URL.",
            variant("STRING input -> STRING", _url_part(lambda p: p.scheme)),
        ),
        scalar(
            "URL_EXTRACT_QUERY",
            URL,
            "The query string of a URL.",
            variant("STRING input -> STRING", _url_part(lambda p: p.query)),
        ),
        scalar(
            "GEO_DISTANCE",
            "MATHEMATICAL",
            "Great-circle distance between two points, in KM or MI.",
            variant("DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2 -> DOUBLE", _geo_distance),
            variant(
                "DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2, STRING units -> DOUBLE",
                _geo_distance, strict=False,
            ),
        ),
        scalar(
            "MD5",
            "STRING",
            "The hex MD5 digest of a string's UTF-8 bytes.",
            variant("STRING input -> STRING", lambda s: hashlib.md5(s.encode("utf-8")).hexdigest()),
        ),
    ]

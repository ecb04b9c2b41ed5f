"""REST Proxy v3 `metadata.self` / `related` URLs and `resource_name` CRNs built as kafka-rest
builds them (UrlFactoryImpl, CrnFactoryImpl), so links name ids exactly as kafka-rest's do.

Neither percent-encodes: an id goes in raw (`consumer-groups/my group/1`). Each URL segment
and each CRN type and id loses its leading and trailing `/`, and an URL segment left empty
is dropped (a lag summary's unowned `max_lag_consumer` ends `.../consumers`).
"""

from __future__ import annotations


def _trimmed(component: str | int) -> str:
    return str(component).strip("/")


def url(base: str, *segments: str | int) -> str:
    """`base` (already a URL) followed by each non-empty trimmed segment."""
    parts = [trimmed for segment in segments if (trimmed := _trimmed(segment))]
    return "/".join([base, *parts])


def crn(cluster_id: str, *parts: tuple[str, str | int | None]) -> str:
    """`crn:///kafka={cluster}` then `type=id` per part (a bare `type` when id is None)."""
    names = [
        f"{_trimmed(kind)}={_trimmed(value)}" if value is not None else _trimmed(kind)
        for kind, value in [("kafka", cluster_id), *parts]
    ]
    return "/".join(["crn://", *names])

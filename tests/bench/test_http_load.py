"""The benches' raw HTTP/1.1 client writes the request head as RFC 7230 asks."""

from __future__ import annotations

import pytest

from tote.bench.http_load import KeepAlive


@pytest.mark.parametrize(("url", "host"), [
    ("http://127.0.0.1:8088/info", "127.0.0.1:8088"),
    ("http://[::1]:8088/info", "[::1]:8088"),  # RFC 7230 §5.4: an IPv6 literal in brackets
])
def test_the_host_header_is_the_url_authority(url: str, host: str) -> None:
    head = KeepAlive.to(url).head("POST", "/ksql", 2).decode("ascii")
    assert f"\r\nHost: {host}\r\n" in head

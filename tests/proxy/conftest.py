"""Fixtures of the REST Proxy tests: the real `tote serve rest-proxy` process, over sqlite.

* `proxy` — one proxy process per test module (`proxy.url`, `proxy.home`), with its
  in-process Schema Registry on the same log.
* `log` — the same sqlite log opened in the test process (to create topics, read back
  what the proxy wrote, and append records the proxy then consumes).
* `registry_url` — the Schema Registry API served from the test process over that log,
  for confluent-kafka's `SchemaRegistryClient`.
* `client` — an httpx client for the proxy; `names` — unique topic/group names.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import httpx
import pytest
from tests.proxy.process import ProxyProcess, start_proxy

from tote.core.config import Config
from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.base import Log
from tote.log.open import open_log
from tote.registry import Registry


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyProcess]:
    running = start_proxy(tmp_path_factory.mktemp("proxy") / "home")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def log(proxy: ProxyProcess) -> Iterator[Log]:
    opened = open_log(Config(home=proxy.home, backend="sqlite"))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def registry_url(log: Log) -> Iterator[str]:
    with ServerThread(create_registry_app(Registry(log))) as server:
        yield server.url


@pytest.fixture
def client(proxy: ProxyProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proxy.url, timeout=60) as opened:
        yield opened


_counter = itertools.count()


@pytest.fixture
def names(request: pytest.FixtureRequest) -> Iterator[str]:
    """A prefix unique to this test, for topics and groups in the shared proxy."""
    yield f"t{next(_counter)}_" + re.sub(r"[^a-zA-Z0-9._-]", "_", request.node.name[:40])


@pytest.fixture
def proxy_url(proxy: ProxyProcess) -> str:
    return proxy.url

"""`port_is_free` answers as `claim_port` (what `tote serve` listens with) would: one
bind, with the same family and socket options. Real sockets."""

from __future__ import annotations

from pathlib import Path

from tests.listening import needs_ipv6
from tests.stack.helpers import distinct_free_ports

from tote.core.config import load_config
from tote.core.host_aliases import rewrite_url
from tote.core.listen import listen_on
from tote.stack.plan import make_plan
from tote.stack.ports import claim_port, port_is_free
from tote.stack.services import SERVICES


def test_a_listened_port_is_taken_and_free_once_closed() -> None:
    sock = claim_port("127.0.0.1", 0, SERVICES[0], "--port")
    port = sock.getsockname()[1]
    assert not port_is_free("127.0.0.1", port)
    sock.close()
    assert port_is_free("127.0.0.1", port)


@needs_ipv6
def test_an_ipv6_host_is_checked_on_ipv6() -> None:
    """Before, the check bound an IPv4 socket, so no IPv6 port was ever free."""
    sock = claim_port("::1", 0, SERVICES[0], "--port")
    port = sock.getsockname()[1]
    assert not port_is_free("::1", port)
    sock.close()
    assert port_is_free("::1", port)


@needs_ipv6
def test_an_ipv6_stack_picks_a_free_database_port_when_its_own_are_taken(
        tmp_path: Path) -> None:
    """Neither the configured nor the previous database port free: the plan picks one.
    Before, that pick bound an IPv4 socket to `::1` and `tote up` failed (gaierror)."""
    held = [listen_on("::1", 0) for _ in range(len(SERVICES) + 2)]
    ports = [sock.getsockname()[1] for sock in held]
    for sock in held[:len(SERVICES)]:
        sock.close()  # the services' ports: free for the plan's check
    configured_db, previous_db = ports[-2:]  # both still listened on
    try:
        flags = {spec.port_field: port for spec, port in zip(SERVICES, ports, strict=False)}
        config = load_config({**flags, "home": tmp_path / "home", "host": "::1",
                              "db_port": configured_db}, env={},
                             toml_path=tmp_path / "absent.toml")
        plan = make_plan(config, previous_db_port=previous_db)
    finally:
        for sock in held[len(SERVICES):]:
            sock.close()
    database = plan.database
    assert database.embedded
    assert database.port not in {configured_db, previous_db, *ports[:len(SERVICES)]}
    assert port_is_free("::1", database.port)
    # and the addresses the stack dials write the IPv6 host in brackets
    assert f"@[::1]:{database.port}/" in database.url
    assert [s.url for s in plan.services] == [f"http://[::1]:{port}"
                                              for port in ports[:len(SERVICES)]]


@needs_ipv6
def test_an_ipv6_stacks_alias_table_rewrites_the_seeds_urls_bracketed(tmp_path: Path) -> None:
    """Before, the table held `::1:<port>`, so the seed's `jdbc:postgresql://db:5432/...`
    became `jdbc:postgresql://::1:<port>/...` and its registry URL one no client reads."""
    ports = distinct_free_ports(len(SERVICES) + 1, "::1")
    flags = {spec.port_field: port for spec, port in zip(SERVICES, ports, strict=False)}
    config = load_config({**flags, "home": tmp_path / "home", "host": "::",
                          "db_port": ports[-1]}, env={}, toml_path=tmp_path / "absent.toml")
    plan = make_plan(config)
    aliases = plan.aliases()
    registry = ports[[s.name for s in SERVICES].index("schema-registry")]
    assert aliases["db"] == f"[::1]:{ports[-1]}"
    assert aliases["schema-registry"] == f"[::1]:{registry}"
    assert rewrite_url("jdbc:postgresql://db:5432/totebets", aliases) == \
        f"jdbc:postgresql://[::1]:{ports[-1]}/totebets"
    assert rewrite_url("http://schema-registry:8081", aliases) == f"http://[::1]:{registry}"
    # `::` (every interface) is dialled on the IPv6 loopback, where it also listens
    assert plan.database.url.endswith(f"@[::1]:{ports[-1]}/totebets")
    assert [s.url for s in plan.services] == [f"http://[::1]:{port}" for port in ports[:-1]]

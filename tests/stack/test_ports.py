"""`port_is_free` answers as `claim_port` (what `tote serve` listens with) would: one
bind, with the same family and socket options. Real sockets."""

from __future__ import annotations

from pathlib import Path

from tests.listening import needs_ipv6

from tote.core.config import load_config
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

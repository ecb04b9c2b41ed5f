"""`tote bench e2e` starts its stack on free ports only: a service left without a port flag
took its default port (the tote service took 8090), so the bench failed, or clashed, wherever
another stack already ran."""

from __future__ import annotations

from tote.bench.e2e_stack import SERVICE_FLAGS
from tote.stack.services import SERVICES


def test_every_service_of_the_stack_gets_a_port_flag() -> None:
    assert {spec.name: spec.port_flag for spec in SERVICES} == SERVICE_FLAGS

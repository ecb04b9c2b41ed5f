"""Every numeric option refuses a value outside its range as a usage error (exit 2) that
names the option, before anything starts: a negative timeout, a zero session, a count
of none. Before, the services started on such values (a reply timeout of -1 s answered
every bet at once with no answer; a consumer instance timeout of 0 spun the expiry
thread), topic consume printed nothing, and simulate and the benches refused them
without saying which option was wrong. (`topic create` leaves its counts to the log,
which refuses them in Kafka's words, as kafka-topics does.)

`tote serve` is given a host that cannot be listened on: a value that gets past the
options fails at once on the host (exit 1), rather than serving."""

from __future__ import annotations

import pytest
from tests.cli.test_bad_input_sweep import env, invoke, one_error

__all__ = ["env"]  # the fixture, shared with the sweep
NOT_OURS = ("--host", "192.0.2.1", "--port", "0")  # TEST-NET-1


def serve(service: str, *args: str) -> tuple[str, ...]:
    return ("serve", service, *args, *NOT_OURS)


@pytest.mark.parametrize(("args", "option"), [
    (serve("tote", "--reply-timeout-s", "-1"), "--reply-timeout-s"),
    (serve("tote", "--reply-timeout-s", "0"), "--reply-timeout-s"),
    (serve("tote", "--retry-for-s", "-1"), "--retry-for-s"),
    (serve("tote", "--session-timeout-ms", "0"), "--session-timeout-ms"),
    (serve("tote", "--session-timeout-ms", "1800001"), "--session-timeout-ms"),
    (serve("connect", "--session-timeout-ms", "0"), "--session-timeout-ms"),
    (serve("connect", "--session-timeout-ms", "1800001"), "--session-timeout-ms"),
    (serve("connect", "--heartbeat-ms", "0"), "--heartbeat-ms"),
    (serve("connect", "--heartbeat-ms", "10000"), "--heartbeat-ms"),  # not below the session
    (serve("connect", "--session-timeout-ms", "2000"), "--heartbeat-ms"),  # default 3000
    (serve("rest-proxy", "--consumer-instance-timeout-ms", "0"),
     "--consumer-instance-timeout-ms"),
    (serve("rest-proxy", "--consumer-instance-timeout-ms", "2147483648"),
     "--consumer-instance-timeout-ms"),
    (serve("rest-proxy", "--consumer-request-timeout-ms", "-1"),
     "--consumer-request-timeout-ms"),
    (("topic", "consume", "t", "--max-records", "0"), "--max-records"),
    (("topic", "consume", "t", "--max-records", "-1"), "--max-records"),
    (("topic", "consume", "t", "--offset", "-1", "--partition", "0"), "--offset"),
    (("topic", "consume", "t", "--partition", "-1"), "--partition"),
    (("simulate", "--races", "0"), "--races"),
    (("simulate", "--bets-per-race", "0"), "--bets-per-race"),
    (("simulate", "--bets-per-second", "0"), "--bets-per-second"),
    (("bench", "log", "--duration", "0"), "--duration"),
    (("bench", "log", "--rate", "0"), "--rate"),
    (("bench", "log", "--batch", "0"), "--batch"),
    (("bench", "log", "--records", "0"), "--records"),
    (("bench", "serde", "--n", "0"), "--n"),
    (("bench", "registry", "--lookups", "0"), "--lookups"),
    (("bench", "registry", "--schemas", "0"), "--schemas"),
    (("bench", "rest-proxy", "--clients", "0"), "--clients"),
    (("bench", "rest-proxy", "--rate", "0"), "--rate"),
    (("bench", "rest-proxy", "--duration", "-1"), "--duration"),
    (("bench", "rest-proxy", "--records", "10", "--batch", "20"), "--records"),
    (("bench", "jdbc", "--batch", "0"), "--batch"),
    (("bench", "e2e", "--max-bets", "99"), "--max-bets"),
    (("bench", "e2e", "--duration", "0"), "--duration"),
    (("bench", "pipeline", "--rss-bets", "-1"), "--rss-bets"),
    (("bench", "pipeline", "--runners", "0"), "--runners"),
    (("bench", "push", "--pull-duration", "0"), "--pull-duration"),
    (("bench", "tote", "--race-bets", "0"), "--race-bets"),
    (("bench", "tote", "--bets", "10", "--batch", "20"), "--bets"),
], ids=lambda value: " ".join(value) if isinstance(value, tuple) else value)
def test_an_out_of_range_value_is_a_usage_error_naming_the_option(
        env: dict[str, str], args: tuple[str, ...], option: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert f"Invalid value for '{option}'" in result.stderr, result.stderr


@pytest.mark.parametrize("args", [
    serve("tote", "--reply-timeout-s", "0.001", "--retry-for-s", "0",
          "--session-timeout-ms", "1800000"),
    serve("connect", "--session-timeout-ms", "2", "--heartbeat-ms", "1"),
    serve("rest-proxy", "--consumer-instance-timeout-ms", "1",
          "--consumer-request-timeout-ms", "0"),
], ids=lambda args: " ".join(args[1:-4]))
def test_the_bounds_themselves_are_taken(env: dict[str, str], args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 1  # past the options, on to the host that is not ours
    assert one_error(result.stderr).startswith("Error: Cannot listen on 192.0.2.1:0 for ")

"""Query and connector states next to their lag; an unreachable server leaves them empty.

The states as real servers report them are checked against a running stack in
tests/e2e/test_seed_flow.py.
"""

from __future__ import annotations

from rich.console import Console

from tote.cli.stack_table import lag_table
from tote.core.listen import free_port
from tote.stack.lag import ConsumerLag
from tote.stack.live_state import connector_states, query_states, with_states

LAGS = [ConsumerLag("query", "CTAS_POOL_4", "_confluent-ksql-default_query_CTAS_POOL_4", 7),
        ConsumerLag("query", "CTAS_GONE_2", "_confluent-ksql-default_query_CTAS_GONE_2", 0),
        ConsumerLag("connector", "sink", "connect-sink", 3)]


def _rendered(rows: list[dict[str, object]]) -> list[list[str]]:
    console = Console(width=200, record=True)
    console.print(lag_table(rows))
    return [[cell.strip() for cell in line.split("│")[1:-1]]
            for line in console.export_text().splitlines() if line.startswith("│")]


def test_a_server_that_does_not_answer_gives_no_states() -> None:
    nobody = f"http://127.0.0.1:{free_port('127.0.0.1')}"
    assert query_states(nobody) is None
    assert connector_states(nobody) is None


def test_without_states_the_lags_show_with_an_empty_state() -> None:
    rows = with_states(LAGS, None, None)
    assert [(r["name"], r["state"], r["lag"]) for r in rows] == [
        ("CTAS_GONE_2", None, 0), ("CTAS_POOL_4", None, 7), ("sink", None, 3)]
    assert _rendered(rows) == [["query", "CTAS_GONE_2", "", "0"],
                               ["query", "CTAS_POOL_4", "", "7"],
                               ["connector", "sink", "", "3"]]


def test_states_go_next_to_the_lags_and_a_query_with_no_commit_shows_too() -> None:
    rows = with_states(LAGS, {"CTAS_POOL_4": "ERROR", "CSAS_NEW_5": "RUNNING"},
                       {"sink": "PAUSED"})
    assert rows == [
        {"kind": "query", "name": "CSAS_NEW_5", "group": None, "lag": None,
         "state": "RUNNING"},
        {"kind": "query", "name": "CTAS_GONE_2", "group": LAGS[1].group, "lag": 0,
         "state": None},  # a dropped query's group: the server no longer knows it
        {"kind": "query", "name": "CTAS_POOL_4", "group": LAGS[0].group, "lag": 7,
         "state": "ERROR"},
        {"kind": "connector", "name": "sink", "group": "connect-sink", "lag": 3,
         "state": "PAUSED"},
    ]
    assert _rendered(rows) == [["query", "CSAS_NEW_5", "RUNNING", ""],
                               ["query", "CTAS_GONE_2", "", "0"],
                               ["query", "CTAS_POOL_4", "ERROR", "7"],
                               ["connector", "sink", "PAUSED", "3"]]

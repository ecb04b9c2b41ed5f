"""`tote simulate --races N --bets-per-second R`: run a race card against the tote service.

Races run one after another: open with every pool, bets posted at the given rate (with a
favourite-longshot skew, some boxed flexi tickets), the odd scratching a third of the way
through, close, result (now and then a dead heat). One line per race as it finishes and a
table at the end; the board of the web UI shows the pools, approximates and dividends live.
"""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tote.cli.errors import user_errors
from tote.cli.race import default_url
from tote.cli.ranges import above_zero
from tote.simulate.card import race_card
from tote.simulate.driver import RaceOutcome, ToteClient, run_race


def _money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def _placings(outcome: RaceOutcome) -> str:
    return " / ".join("=".join(map(str, position)) for position in outcome.result)


def _table(outcomes: list[RaceOutcome]) -> Table:
    table = Table(title="Simulated race card")
    for column in ("race", "accepted", "rejected", "stake", "scratched", "result"):
        table.add_column(column, justify="right" if column in ("accepted", "rejected",
                                                               "stake") else "left")
    for o in outcomes:
        rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(o.rejected.items()))
        table.add_row(o.race_id, f"{o.accepted:,}", rejected or "0", _money(o.stake_cents),
                      ",".join(map(str, o.scratched)) or "-", _placings(o))
    return table


def simulate(
    *,
    races: Annotated[int, typer.Option(min=1, help="Races on the card.")] = 5,
    bets_per_second: Annotated[float, typer.Option(
        callback=above_zero, help="Bets posted per second.")] = 500.0,
    bets_per_race: Annotated[int, typer.Option(min=1, help="Tickets per race.")] = 1_000,
    seed: Annotated[int, typer.Option(help="Seed of the card (same seed, same card).")] = 1,
    prefix: Annotated[str, typer.Option(help="Race ids are PREFIX-SEED-R<n>.")] = "SIM",
    url: Annotated[str | None, typer.Option(
        "--url", help="The tote service (default: the running stack's, else "
                      "http://TOTE_HOST:TOTE_TOTE_PORT).")] = None,
) -> None:
    """Run a simulated race card: open, bet, scratch, close and result each race."""
    console = Console()
    client = ToteClient(url or default_url())
    outcomes: list[RaceOutcome] = []
    with user_errors(), closing(client):
        for race in race_card(races, bets_per_race, seed=seed, prefix=prefix):
            outcome = run_race(client, race, bets_per_second)
            outcomes.append(outcome)
            console.print(f"{race.race_id}: {outcome.accepted:,} bets accepted, "
                          f"{sum(outcome.rejected.values()):,} rejected, "
                          f"result {_placings(outcome)}")
    console.print(_table(outcomes))

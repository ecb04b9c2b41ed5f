"""Builders for pool-case JSON documents and the balance checks every settlement must pass."""

from __future__ import annotations

from typing import Any

from tote.pools import Settlement, parse_case, settle


def bet(bet_id: str, *selection: int, cents: int) -> dict[str, Any]:
    """A straight ticket on one combination."""
    return {"id": bet_id, "selection": list(selection), "stake_cents": cents}


def box(bet_id: str, runners: list[int], cents: int) -> dict[str, Any]:
    """A flexi box: `cents` spread over every combination of `runners`."""
    return {"id": bet_id, "box": runners, "stake_cents": cents}


def on_runners(stakes: dict[int, int], prefix: str = "r") -> list[dict[str, Any]]:
    """One single-runner ticket per runner: {runner: cents}."""
    return [bet(f"{prefix}{runner}", runner, cents=cents) for runner, cents in stakes.items()]


def settled(document: dict[str, Any]) -> Settlement:
    """Parse, settle and check the books balance (spec §9.3.4 and conservation)."""
    settlement = settle(parse_case(document))
    assert_balanced(settlement, document)
    return settlement


def assert_balanced(settlement: Settlement, document: dict[str, Any]) -> None:
    carry_in = document.get("carry_in_cents", 0)
    carry_in_net = document.get("carry_in_net_cents", 0)
    assert settlement.accepted_cents == sum(b["stake_cents"] for b in document["bets"])
    assert (
        settlement.payouts_cents
        + settlement.takeout_cents
        + settlement.breakage_cents
        + settlement.carry_out_cents
    ) == (settlement.gross_cents + carry_in_net + settlement.minus_pool_cents)
    assert (settlement.accepted_cents + carry_in + carry_in_net) == (
        settlement.payouts_cents
        + settlement.refunds_cents
        + settlement.takeout_cents
        + settlement.breakage_cents
        + settlement.carry_out_cents
        - settlement.minus_pool_cents
    )
    assert (
        min(
            settlement.breakage_cents,
            settlement.minus_pool_cents,
            settlement.takeout_cents,
            settlement.carry_out_cents,
        )
        >= 0
    )

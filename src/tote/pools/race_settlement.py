"""What each ticket of a resulted race gets: the sequencer's BetPaid events.

At the result every standing ticket is settled by the calculator (`tote.pools.settle`),
pool by pool, with the pool's own rules: the same function the pools statements call for
the dividends, so what a bettor is paid and the dividend declared always agree. A ticket
is what still stands of it: scratchings have already refunded the combinations on a
scratched runner (BetRefunded), so the rest of a box is a box of the runners left, its
standing stake spread evenly over it, as the calculator spreads it.

Every standing ticket ends in exactly one outcome (spec §9.3, invariant 9): PAID (its
payout), REFUNDED (the pool refunds, e.g. an unbacked winner under the REFUND policy) or
LOST (nothing, amount 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tote.pools.parsing import parse_case
from tote.pools.pool_defs import PoolDef
from tote.pools.settle import settle
from tote.pools.tickets import Ticket

PAID, REFUNDED, LOST = "PAID", "REFUNDED", "LOST"


def _bet(bet_id: str, ticket: Ticket) -> dict[str, Any]:
    if ticket.total == 1:
        return {
            "id": bet_id,
            "selection": [int(r) for r in ticket.combinations[0].split("-")],
            "stake_cents": ticket.standing_cents,
        }
    runners = sorted({int(r) for c in ticket.combinations for r in c.split("-")})
    return {"id": bet_id, "box": runners, "stake_cents": ticket.standing_cents}


def _case(pool: PoolDef, bets: list[dict[str, Any]], result: list[list[int]]) -> dict[str, Any]:
    case: dict[str, Any] = {
        "pool": pool.pool,
        "takeout_bp": pool.takeout_bp,
        "unit_cents": pool.unit_cents,
        "breakage_step_cents": pool.breakage_step_cents,
        "split": pool.split,
        "unbacked": pool.unbacked,
        "part_backed": pool.part_backed,
        "bets": bets,
        "result": result,
    }
    if pool.min_dividend_cents is not None:
        case["min_dividend_cents"] = pool.min_dividend_cents
    if pool.pool in ("PLACE", "SHOW"):
        case["places"] = pool.places
    return case


def settle_tickets(
    pools: Iterable[PoolDef], tickets: Iterable[tuple[str, Ticket]], result: list[list[int]]
) -> Iterator[tuple[str, Ticket, str, int]]:
    """(bet id, ticket, outcome, cents) for every standing ticket, pool by pool."""
    by_pool: dict[str, list[tuple[str, Ticket]]] = {}
    for bet_id, ticket in tickets:
        if ticket.standing_cents > 0 and ticket.combinations:
            by_pool.setdefault(ticket.pool, []).append((bet_id, ticket))
    for pool in pools:
        standing = by_pool.get(pool.pool, [])
        if not standing:
            continue
        case = parse_case(_case(pool, [_bet(b, t) for b, t in standing], result))
        settlement = settle(case)
        paid = {p.id: p.cents for p in settlement.payouts}
        refunded = {r.id: r.cents for r in settlement.refunds}
        for bet_id, ticket in standing:
            if paid.get(bet_id, 0) > 0:
                yield bet_id, ticket, PAID, int(paid[bet_id])
            elif refunded.get(bet_id, 0) > 0:
                yield bet_id, ticket, REFUNDED, int(refunded[bet_id])
            else:
                yield bet_id, ticket, LOST, 0

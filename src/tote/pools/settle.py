"""`settle`: one pool's official settlement (spec §3, §4; worked cases §10).

The order of decisions:
1. scratchings refund what they touch (ledger);
2. a void pool (the race void, or too few starters left) refunds everything else too;
3. the result gives the winning interests; none (nobody, or too few, finished) → refund all;
4. no money on any winning interest → the unbacked policy (next finisher, carry, refund);
5. otherwise dividends: takeout, the split, breakage, minimum dividend, payouts per bet.

Rounding: takeout floored to the cent; dividends floored to the breakage step per unit;
a bet's payout (dividend * its units on each winning combination, summed) floored to the cent.
Every cent dropped counts as breakage; every cent the minimum dividend adds beyond a price's
share of the pool counts as minus pool (rounded up to the cent), so the books balance exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

from tote.pools.case import PartBackedRule, PoolCase, Selection, UnbackedPolicy
from tote.pools.combinations import winning_interests, without_paying_positions
from tote.pools.ledger import Ledger, build_ledger
from tote.pools.rules import (
    breakage,
    entitlement_cents,
    raw_dividend,
    takeout_cents,
    with_minimum,
)
from tote.pools.settlement import BetAmount, Dividend, Outcome, Settlement
from tote.pools.starters import void_reason


@dataclass(frozen=True, slots=True)
class _Interest:
    """A winning combination that holds money: its share of the pool and its stake."""

    selection: Selection
    share: Fraction
    stake_cents: Fraction


def settle(case: PoolCase) -> Settlement:
    """Settle one pool: dividends, payouts, refunds, takeout, breakage, minus pool, carry."""
    ledger = build_ledger(case)
    if void_reason(case) is not None:
        return _refund_everything(case, ledger, Outcome.VOID)
    result = case.result
    while True:
        interests = winning_interests(case.pool, result, case.places)
        if not interests:
            return _refund_everything(case, ledger, Outcome.REFUNDED)
        backed = [
            _Interest(selection, share, stake)
            for selection, share in interests
            if (stake := ledger.stake_on(selection)) > 0
        ]
        if backed:
            return _pay(case, ledger, backed)
        if case.unbacked is UnbackedPolicy.NEXT_FINISHER:
            result = without_paying_positions(result, case.places)
        elif case.unbacked is UnbackedPolicy.REFUND:
            return _refund_everything(case, ledger, Outcome.REFUNDED)
        else:
            return _carry(case, ledger)


def _scratch_refunds(ledger: Ledger) -> tuple[BetAmount, ...]:
    return tuple(BetAmount(bet_id, cents) for bet_id, cents in ledger.scratch_refunds)


def _refund_everything(case: PoolCase, ledger: Ledger, outcome: Outcome) -> Settlement:
    """Every accepted stake goes back; money carried in is carried on untouched."""
    refunds = tuple(BetAmount(ticket.id, ticket.stake_cents) for ticket in case.tickets)
    return Settlement(
        pool=case.pool,
        outcome=outcome,
        accepted_cents=ledger.accepted_cents,
        gross_cents=case.carry_in_cents,
        takeout_cents=0,
        net_cents=0,
        dividends=(),
        payouts=(),
        refunds=refunds,
        breakage_cents=0,
        minus_pool_cents=0,
        carry_out_cents=case.carry_in_cents + case.carry_in_net_cents,
        carry_out_net_cents=case.carry_in_net_cents,
    )


def _carry(case: PoolCase, ledger: Ledger) -> Settlement:
    """Unbacked: CARRY_GROSS moves the gross untaxed, CARRY_NET takes takeout and moves the
    net (money carried in on a net basis travels on as net)."""
    gross = ledger.standing_cents + case.carry_in_cents
    full_takeout = takeout_cents(gross, case.takeout_bp)
    net = gross - full_takeout + case.carry_in_net_cents
    if case.unbacked is UnbackedPolicy.CARRY_GROSS:
        takeout, carry_out, carry_out_net = (
            0,
            gross + case.carry_in_net_cents,
            case.carry_in_net_cents,
        )
    else:
        takeout, carry_out, carry_out_net = full_takeout, net, net
    return Settlement(
        pool=case.pool,
        outcome=Outcome.CARRIED,
        accepted_cents=ledger.accepted_cents,
        gross_cents=gross,
        takeout_cents=takeout,
        net_cents=net,
        dividends=(),
        payouts=(),
        refunds=_scratch_refunds(ledger),
        breakage_cents=0,
        minus_pool_cents=0,
        carry_out_cents=carry_out,
        carry_out_net_cents=carry_out_net,
    )


@dataclass(frozen=True, slots=True)
class _Shares:
    """How much of the pool is being won now, and what is carried forward."""

    takeout: int
    paying_net: int
    carry_out: int
    carry_out_net: int


def _won_now(case: PoolCase, gross: int, backed_stake: Fraction) -> _Shares:
    """The whole pool, or under the UK part-backed rule (less than one unit on the winners)
    the fraction `winning stake / unit` of it, the rest carried forward (spec §3.6, TC8)."""
    if case.part_backed is PartBackedRule.CARRY_UNWON and backed_stake < case.unit_cents:
        won = backed_stake / case.unit_cents
        gross_won = floor(gross * won)
        net_in_won = floor(case.carry_in_net_cents * won)
        takeout = takeout_cents(gross_won, case.takeout_bp)
        net_left = case.carry_in_net_cents - net_in_won
        return _Shares(
            takeout, gross_won - takeout + net_in_won, gross - gross_won + net_left, net_left
        )
    takeout = takeout_cents(gross, case.takeout_bp)
    return _Shares(takeout, gross - takeout + case.carry_in_net_cents, 0, 0)


def _pay(case: PoolCase, ledger: Ledger, backed: list[_Interest]) -> Settlement:
    gross = ledger.standing_cents + case.carry_in_cents
    net = gross - takeout_cents(gross, case.takeout_bp) + case.carry_in_net_cents
    backed_stake = sum((interest.stake_cents for interest in backed), Fraction(0))
    shares = _won_now(case, gross, backed_stake)
    backed_share = sum((interest.share for interest in backed), Fraction(0))
    dividends: list[Dividend] = []
    minus_pool = Fraction(0)
    for interest in backed:
        entitled = entitlement_cents(
            case.split,
            shares.paying_net,
            interest.share / backed_share,
            interest.stake_cents,
            backed_stake,
        )
        raw = raw_dividend(entitled, interest.stake_cents, case.unit_cents)
        dividend = with_minimum(breakage(raw, case.breakage_step_cents), case.min_dividend_cents)
        paid = dividend * interest.stake_cents / case.unit_cents
        minus_pool += max(paid - entitled, Fraction(0))
        dividends.append(
            Dividend(interest.selection, dividend, interest.stake_cents / case.unit_cents)
        )
    payouts = _payouts(case, ledger, dividends)
    minus = ceil(minus_pool)
    paid_out = sum(payout.cents for payout in payouts)
    return Settlement(
        pool=case.pool,
        outcome=Outcome.PAID,
        accepted_cents=ledger.accepted_cents,
        gross_cents=gross,
        takeout_cents=shares.takeout,
        net_cents=net,
        dividends=tuple(dividends),
        payouts=payouts,
        refunds=_scratch_refunds(ledger),
        breakage_cents=shares.paying_net - paid_out + minus,
        minus_pool_cents=minus,
        carry_out_cents=shares.carry_out,
        carry_out_net_cents=shares.carry_out_net,
    )


def _payouts(case: PoolCase, ledger: Ledger, dividends: list[Dividend]) -> tuple[BetAmount, ...]:
    """Each winning ticket: Σ dividend * its units on that combination, floored to the cent."""
    payouts: list[BetAmount] = []
    for ticket in ledger.standing:
        held = [dividend for dividend in dividends if ticket.covers(dividend.selection)]
        if held:
            owed = (
                sum(
                    (dividend.per_unit_cents * ticket.per_combination_cents for dividend in held),
                    Fraction(0),
                )
                / case.unit_cents
            )
            payouts.append(BetAmount(ticket.id, floor(owed)))
    return tuple(payouts)

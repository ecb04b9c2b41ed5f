"""The simulated race card: valid tickets, repeatable, with the favourite-longshot bias."""

from __future__ import annotations

from collections import Counter

from tote.simulate.card import POOLS, SIZES, race_card


def test_a_seed_gives_the_same_card_and_another_seed_a_different_one() -> None:
    assert race_card(3, 200, seed=5) == race_card(3, 200, seed=5)
    assert race_card(3, 200, seed=5) != race_card(3, 200, seed=6)


def test_every_ticket_is_one_the_service_can_accept() -> None:
    keys: set[str] = set()
    for race in race_card(20, 500, seed=2):
        assert 8 <= len(race.runners) <= 14
        for bet in race.bets:
            assert bet.pool in POOLS and bet.race_id == race.race_id
            assert bet.stake_cents > 0 and bet.stake_cents % 100 == 0
            runners = bet.box or bet.selection
            assert len(set(runners)) == len(runners)
            assert set(runners) <= set(race.runners)
            if bet.box:
                assert len(bet.box) > SIZES[bet.pool]
            else:
                assert len(bet.selection) == SIZES[bet.pool]
            assert bet.idempotency_key not in keys
            keys.add(bet.idempotency_key)


def test_results_leave_out_scratched_runners_and_sometimes_dead_heat() -> None:
    card = race_card(200, 1, seed=3)
    assert any(race.scratched for race in card)
    assert any(len(position) == 2 for race in card for position in race.result)
    for race in card:
        finishers = [runner for position in race.result for runner in position]
        assert len(finishers) == len(set(finishers)) >= 4
        assert not set(finishers) & set(race.scratched)


def test_bettors_overback_longshots_and_underback_favourites() -> None:
    """Summed over many races, each runner's share of WIN tickets against its true chance:
    favourites get less than their chance, outsiders more (the favourite-longshot bias)."""
    favourite_share = favourite_chance = longshot_share = longshot_chance = 0.0
    for race in race_card(60, 2_000, seed=4):
        wins = Counter(bet.selection[0] for bet in race.bets if bet.pool == "WIN")
        total = sum(wins.values())
        ranked = sorted(zip(race.chances, race.runners, strict=True), reverse=True)
        favourite_chance += ranked[0][0]
        favourite_share += wins[ranked[0][1]] / total
        longshot_chance += ranked[-1][0]
        longshot_share += wins[ranked[-1][1]] / total
    assert favourite_share < 0.9 * favourite_chance
    assert longshot_share > 1.3 * longshot_chance

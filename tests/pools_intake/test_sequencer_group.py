"""Several sequencers on one log: the partitions are shared, and a zombie is fenced."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.pools_intake.desk import Desk

from tote.core.errors import Fenced
from tote.core.records import TopicPartition
from tote.pools.events import EventCodecs
from tote.pools.sequencer import Sequencer
from tote.pools.topics import BETS, COMMANDS, OUTCOMES, RACE_EVENTS

RACES = [f"G{i}" for i in range(12)]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    opened = Desk.open(tmp_path / "log.db", member_id="a")
    yield opened
    opened.close()


def test_two_sequencers_share_the_partitions_and_sequence_each_command_once(desk: Desk) -> None:
    other = Sequencer(desk.log, EventCodecs(desk.registry), member_id="b")
    try:
        for _ in range(3):  # both join, then both see the final assignment
            desk.sequencer.step(0.05)
            other.step(0.05)
        owners = [desk.sequencer.assignment(), other.assignment()]
        assert owners[0] and owners[1] and not owners[0] & owners[1]
        assert owners[0] | owners[1] == {TopicPartition(COMMANDS, p) for p in range(4)}
        for race in RACES:
            desk.send(desk.close_race(race))  # unknown races: answered, nothing written
        desk.send(*[desk.open_race_command(race, [1, 2]) for race in RACES])
        desk.send(*[desk.bet(f"{race}-k", race, "WIN", 100, selection=[1]) for race in RACES])
        deadline = time.monotonic() + 60
        outcomes = desk.outcomes()
        while len(outcomes) < len(desk.sent_ids()) and time.monotonic() < deadline:
            desk.sequencer.step(0.05)
            other.step(0.05)
            outcomes = desk.outcomes()
        assert set(outcomes) == set(desk.sent_ids())
        assert len(desk.records(OUTCOMES)) == len(desk.sent_ids())
        assert sorted(e["race_id"] for e in desk.events(BETS)) == sorted(RACES)
        assert sorted(e["race_id"] for e in desk.events(RACE_EVENTS)) == sorted(RACES)
    finally:
        other.close()


def test_a_newer_sequencer_with_the_same_id_fences_the_old_one(desk: Desk) -> None:
    assert desk.open_race("R1", [1, 2]).ok
    zombie = desk.sequencer
    desk.sequencer = Sequencer(desk.log, EventCodecs(desk.registry), member_id="a")
    assert desk.sequencer.step(0.05) == 0  # joins the group in the zombie's place
    desk.send(desk.bet("k", "R1", "WIN", 100, selection=[1]))
    with pytest.raises(Fenced):
        zombie.step(0.05)
    zombie.close()
    assert desk.run()  # the new one takes the bet
    assert [e["idempotency_key"] for e in desk.events(BETS)] == ["k"]

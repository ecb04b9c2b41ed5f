"""The sequencer under failures, driven by hand through `advance` (the thread's own step).

Real faults on a real sqlite log, no mocks: a store row that no longer decodes (what a bad
disk or an incompatible older version leaves) makes the decision code raise for every
command of that race, a topic deleted under the sequencer makes its commit fail, and a
record that is not a command lands on `tote_commands`. Pauses the fault policy asks for
are skipped: `advance` is called again at once.
"""

from __future__ import annotations

import pytest
from tests.pools_intake.desk import Desk, corrupt_store_row

from tote.core.clock import ManualClock
from tote.core.errors import Fenced, TopicNotFound
from tote.core.records import Record
from tote.pools.events import EventCodecs
from tote.pools.outcomes import CommandOutcome
from tote.pools.sequencer import Sequencer
from tote.pools.sequencer_faults import Faults, RetriesExhausted
from tote.pools.sequencer_state import race_key
from tote.pools.topics import (
    BETS,
    BETS_REJECTED,
    COMMANDS,
    DEAD_LETTERS,
    OUTCOMES,
    ensure_topics,
)


def _where(desk: Desk, command_id: str) -> str:
    record = desk.command(command_id)
    return f"tote_commands-{record.partition}@{record.offset}"


def _set_aside_message(where: str, error: str) -> str:
    return (
        f"The sequencer could not decide this command ({error}; see the service log): it "
        f"was set aside in tote_commands_dlq ({where}) and changed nothing."
    )


def test_a_command_that_cannot_be_decided_is_set_aside_and_the_others_decided_once(
    desk: Desk,
) -> None:
    assert desk.open_race("R1", [1, 2, 3]).ok
    assert desk.open_race("R2", [1, 2, 3]).ok
    corrupt_store_row(desk.log, race_key("R1"))
    before = len(desk.records(OUTCOMES))
    good1, poison, good2, close = desk.send(
        desk.bet("k1", "R2", "WIN", 100, selection=[1]),
        desk.bet("p1", "R1", "WIN", 100, selection=[2]),
        desk.bet("k2", "R2", "WIN", 200, selection=[3]),
        desk.close_race("R1"),
    )
    outcomes = desk.run(faults=True)

    assert outcomes[poison] == CommandOutcome(
        {
            "error_code": 50010,
            "message": _set_aside_message(_where(desk, poison), "DecodeError"),
            "status": "REJECTED",
            "reason": "UNPROCESSABLE",
            "idempotency_key": "p1",
            "race_id": "R1",
            "pool": "WIN",
        },
        50010,
    )
    assert outcomes[close] == CommandOutcome(
        {"error_code": 50010, "message": _set_aside_message(_where(desk, close), "DecodeError")},
        50010,
    )
    assert outcomes[good1].body["status"] == outcomes[good2].body["status"] == "ACCEPTED"
    # The batch was decided again after each failure, but committed once: one BetPlaced per
    # bet, one outcome record per command.
    assert [e["idempotency_key"] for e in desk.events(BETS)] == ["k1", "k2"]
    assert len(desk.records(OUTCOMES)) - before == 4
    assert desk.sequencer.retrying is None

    letters = desk.records(DEAD_LETTERS)
    assert [r.value for r in letters] == [desk.command(poison).value, desk.command(close).value]
    record = desk.command(poison)
    assert letters[0].key == b"R1"
    assert dict(letters[0].headers) == {
        "tote.errors.topic": b"tote_commands",
        "tote.errors.partition": str(record.partition).encode(),
        "tote.errors.offset": str(record.offset).encode(),
        "tote.errors.exception.class.name": b"msgspec.DecodeError",
        "tote.errors.exception.message": b"MessagePack data is malformed: invalid opcode"
        b" '\\xc1' (byte 0)",
        "tote.errors.attempts": b"2",
    }


def test_a_failing_log_is_retried_from_the_committed_offsets(desk: Desk) -> None:
    assert desk.open_race("R1", [1, 2, 3]).ok
    desk.log.delete_topic(BETS_REJECTED)  # an operator's mistake
    accepted, rejected = desk.send(
        desk.bet("k1", "R1", "WIN", 100, selection=[1]),
        desk.bet("k2", "R1", "WIN", 150, selection=[2]),  # BAD_STAKE: a BetRejected to write
    )
    pause = desk.sequencer.advance(0.05)
    while desk.sequencer.retrying is None:  # the first polls may come back empty
        pause = desk.sequencer.advance(0.05)
    assert pause > 0
    assert desk.sequencer.retrying == "Topic 'tote_bets_rejected' not found."
    assert desk.sequencer.advance(0.05) > 0  # and again: nothing committed meanwhile
    assert accepted not in desk.outcomes()
    assert desk.events(BETS) == []

    ensure_topics(desk.log)  # the topic is back
    outcomes = desk.run(faults=True)
    assert outcomes[accepted].body["status"] == "ACCEPTED"
    assert outcomes[rejected].body["reason"] == "BAD_STAKE"
    assert [e["idempotency_key"] for e in desk.events(BETS)] == ["k1"]
    assert [e["idempotency_key"] for e in desk.events(BETS_REJECTED)] == ["k2"]
    assert desk.sequencer.retrying is None


def test_the_sequencer_gives_up_when_the_log_keeps_failing(desk: Desk) -> None:
    assert desk.open_race("R1", [1, 2, 3]).ok
    clock = ManualClock()
    desk.sequencer.close()
    desk.sequencer = Sequencer(
        desk.log, EventCodecs(desk.registry), member_id="desk", retry_for_s=10, clock=clock
    )
    desk.log.delete_topic(BETS_REJECTED)
    [rejected] = desk.send(desk.bet("k1", "R1", "WIN", 150, selection=[1]))
    while desk.sequencer.retrying is None:
        desk.sequencer.advance(0.05)
    clock.advance(10_000)
    desk.sequencer.advance(0.05)  # 10 s of failures: still within the limit
    clock.advance(1)
    with pytest.raises(RetriesExhausted) as raised:
        desk.sequencer.advance(0.05)
    assert raised.value.message == (
        "the log kept failing for 10 s: Topic 'tote_bets_rejected' not found."
    )

    ensure_topics(desk.log)  # what a restarted service does first
    desk.restart()
    assert desk.run(faults=True)[rejected].body["reason"] == "BAD_STAKE"
    assert [e["idempotency_key"] for e in desk.events(BETS_REJECTED)] == ["k1"]


def test_a_record_that_is_not_a_command_goes_to_the_dead_letters(desk: Desk) -> None:
    assert desk.open_race("R1", [1, 2, 3]).ok
    [junk] = desk.log.append(COMMANDS, [Record(b"not a command", b"R1")])
    outcomes = desk.do(desk.bet("k1", "R1", "WIN", 100, selection=[1]))
    assert outcomes.body["status"] == "ACCEPTED"
    [letter] = desk.records(DEAD_LETTERS)
    assert (letter.key, letter.value) == (b"R1", b"not a command")
    headers = dict(letter.headers)
    assert headers["tote.errors.offset"] == str(junk.offset).encode()
    assert headers["tote.errors.exception.class.name"] == b"msgspec.DecodeError"
    assert headers["tote.errors.attempts"] == b"1"


def test_a_fenced_sequencer_stops_at_once(desk: Desk) -> None:
    assert desk.open_race("R1", [1, 2]).ok
    zombie = desk.sequencer
    desk.sequencer = Sequencer(desk.log, EventCodecs(desk.registry), member_id="desk")
    assert desk.sequencer.step(0.05) == 0  # takes the zombie's place in the group
    desk.send(desk.bet("k", "R1", "WIN", 100, selection=[1]))
    with pytest.raises(Fenced):  # not retried: a newer sequencer owns the partitions
        zombie.advance(0.05)
    zombie.close()
    desk.run(faults=True)
    assert [e["idempotency_key"] for e in desk.events(BETS)] == ["k"]


def test_a_run_of_log_failures_ends_with_a_commit_or_a_quiet_spell() -> None:
    clock = ManualClock()
    error = TopicNotFound(BETS_REJECTED)
    faults = Faults(10.0, clock)
    assert [faults.failed(error) for _ in range(6)] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
    faults.polled()  # an empty poll between two failures does not end the run
    clock.advance(10_001)
    with pytest.raises(RetriesExhausted):
        faults.failed(error)

    faults = Faults(10.0, clock)
    assert faults.failed(error) == 0.05
    clock.advance(30_000)
    faults.polled()  # 30 s without a failure: that run is over
    clock.advance(1_000_000)
    assert faults.failed(error) == 0.05
    faults.committed({0: 1})  # and so is this one
    clock.advance(20_000)
    assert faults.failed(error) == 0.05

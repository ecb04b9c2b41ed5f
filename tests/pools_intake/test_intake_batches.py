"""Batches of bets through the intake library: every bet answered in order, once.

A request's bets share one request id; the sequencer answers them with one outcome record
per request and partition, which the intake either reads back from the log (a sequencer in
another service) or is handed at once (its own sequencer, after the commit). Either way each
bet gets its own outcome, in order, also when the batch is larger than one sequencer batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tote.core.records import TopicPartition
from tote.log.sqlite import SqliteLog
from tote.pools.commands import BetRequest, OpenRaceRequest
from tote.pools.events import EventCodecs
from tote.pools.outcomes import CommandOutcome
from tote.pools.sequencer import DEFAULT_MAX_BATCH, Sequencer
from tote.pools.service import ToteService
from tote.pools.topics import BETS, COMMANDS
from tote.registry import Registry
from tote.serde.avro import AvroCodec

RACES = ("R1", "R2")
BATCH = DEFAULT_MAX_BATCH + 500  # more than one sequencer batch holds


@pytest.fixture
def log(tmp_path: Path) -> Iterator[SqliteLog]:
    opened = SqliteLog(tmp_path / "log.db")
    yield opened
    opened.close()


def _service(log: SqliteLog, *, sequence: bool = True) -> ToteService:
    service = ToteService(log, Registry(log), sequence=sequence, member_id="here")
    service.start()
    return service


def _open_races(service: ToteService) -> None:
    for race in RACES:
        request = OpenRaceRequest(race, [1, 2, 3, 4, 5, 6, 7, 8])
        assert service.intake.open_race(request).result(30).ok


def _bets(count: int, prefix: str = "k") -> list[BetRequest]:
    """WIN bets alternating over the races; every 100th names an undeclared runner."""
    return [
        BetRequest(
            f"{prefix}{n}",
            RACES[n % 2],
            "WIN",
            100 * (1 + n % 5),
            selection=[12 if n % 100 == 99 else 1 + n % 8],
        )
        for n in range(count)
    ]


def _placed(log: SqliteLog) -> list[dict[str, Any]]:
    """Every BetPlaced value in the log."""
    with Registry(log) as registry:
        codec = AvroCodec(registry.get_version(f"{BETS}-value").schema)
    values = []
    for info in log.describe_topic(BETS).partitions:
        for record in log.read(TopicPartition(BETS, info.partition), 0, 1_000_000):
            values.append(codec.decode_framed(record.value or b"")[1])
    return values


def _commands_on_log(log: SqliteLog) -> int:
    return sum(p.end_offset for p in log.describe_topic(COMMANDS).partitions)


def _check_answers(bets: list[BetRequest], outcomes: list[CommandOutcome]) -> None:
    assert len(outcomes) == len(bets)
    for n, (bet, outcome) in enumerate(zip(bets, outcomes, strict=True)):
        if bet.selection == [12]:
            assert outcome.body["reason"] == "INVALID_SELECTION", n
            assert outcome.body["idempotency_key"] == bet.idempotency_key
        else:
            body = outcome.body
            assert body["status"] == "ACCEPTED", (n, body)
            assert (body["idempotency_key"], body["race_id"]) == (bet.idempotency_key, bet.race_id)
            assert (body["combinations"], body["stake_cents"]) == (
                [str(bet.selection[0])] if bet.selection else None,
                bet.stake_cents,
            )
            assert body["bet_id"].startswith(f"{bet.race_id}:")


@pytest.mark.parametrize("sequencer", ["in this service", "in another service"])
def test_a_large_batch_is_answered_bet_by_bet_in_order(log: SqliteLog, sequencer: str) -> None:
    here = sequencer == "in this service"
    service = _service(log, sequence=here)
    elsewhere = None
    if not here:  # answers only through the outcomes topic
        elsewhere = Sequencer(log, EventCodecs(service.registry), member_id="elsewhere")
        elsewhere.start()
    try:
        _open_races(service)
        bets = _bets(BATCH)
        bets[BATCH // 2] = bets[40]  # a retry inside the batch gets the first answer
        outcomes = service.intake.place_bets(bets).result(60)
    finally:
        if elsewhere is not None:
            elsewhere.close()
        service.close()
    _check_answers(
        [b for n, b in enumerate(bets) if n != BATCH // 2],
        outcomes[: BATCH // 2] + outcomes[BATCH // 2 + 1 :],
    )
    assert outcomes[BATCH // 2] == outcomes[40]
    accepted = [o.body for o in outcomes if o.ok]
    placed = _placed(log)
    assert len(placed) == len({b["bet_id"] for b in accepted}) == BATCH - 1 - BATCH // 100
    assert sorted(p["bet_id"] for p in placed) == sorted({b["bet_id"] for b in accepted})


def test_retries_after_a_restart_are_answered_from_the_dedupe_table(log: SqliteLog) -> None:
    first = _service(log)
    try:
        _open_races(first)
        bets = _bets(1_200)
        before = first.intake.place_bets(bets).result(60)
    finally:
        first.close()
    commands, placed = _commands_on_log(log), len(_placed(log))

    again = _service(log)  # a new intake and sequencer over the same log
    try:
        after = again.intake.place_bets(bets).result(60)
        assert after == before
        # Answered from the committed dedupe table: nothing new on the log at all.
        assert (_commands_on_log(log), len(_placed(log))) == (commands, placed)

        fresh = _bets(600, prefix="new-")
        mixed = [bet for pair in zip(bets[:600], fresh, strict=True) for bet in pair]
        answers = again.intake.place_bets(mixed).result(60)
    finally:
        again.close()
    assert answers[0::2] == before[:600]
    _check_answers(fresh, answers[1::2])
    assert _commands_on_log(log) == commands + 600  # only the new bets were sequenced
    assert len(_placed(log)) == placed + 600 - 6

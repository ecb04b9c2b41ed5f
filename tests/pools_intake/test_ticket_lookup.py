"""Finding a bet by its id: through its command in the log, or without it.

A bet's ticket lives in its dedupe entry (one store row per bet); a cancellation names the
bet id, `<race>:<partition>:<offset>`, and the command at that position says which entry.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.pools_intake.conftest import RUNNERS
from tests.pools_intake.desk import Desk

from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.pools.commands import encode_command
from tote.pools.topics import BETS_CANCELLED, BETS_REFUNDED, COMMANDS, DOMAIN_CONFIGS

HOUR_MS = 3_600_000


def test_a_bet_is_cancelled_even_once_its_command_is_gone(tmp_path: Path) -> None:
    log = SqliteLog(tmp_path / "log.db")
    # tote_commands keeps an hour here (the service leaves an existing topic as it is).
    log.create_topic(COMMANDS, 4, configs={**DOMAIN_CONFIGS, "retention.ms": str(HOUR_MS)})
    desk = Desk.over(log)
    try:
        # The race's commands so far are older than the retention (the race's state is in
        # the store, its bets' tickets too).
        old = time.time_ns() // 1_000_000 - 2 * HOUR_MS
        opening = desk.open_race_command("R5", RUNNERS)
        bets = [desk.bet(f"k{n}", "R5", "WIN", 500, selection=[1 + n]) for n in range(3)]
        desk.log.append(
            COMMANDS, [Record(encode_command(c), b"R5", (), old) for c in (opening, *bets)]
        )
        desk.sequencer.run_until_idle()
        outcomes = desk.outcomes()
        assert outcomes[opening.id].ok
        bet_ids = [outcomes[b.id].body["bet_id"] for b in bets]
        log.enforce_retention(COMMANDS)
        partition = int(bet_ids[1].split(":")[1])
        start = log.describe_topic(COMMANDS).partitions[partition].start_offset
        assert start > int(bet_ids[1].split(":")[2])  # the bet's command is gone

        cancelled = desk.cancel("R5", bet_ids[1])
        assert (cancelled.body["status"], cancelled.body["stake_cents"]) == ("CANCELLED", 500)
        voided = desk.void("R5")
        assert voided.body["refunds"] == {"bets": 2, "stake_cents": 1000}
        assert [e["bet_id"] for e in desk.events(BETS_CANCELLED)] == [bet_ids[1]]
        assert sorted(e["bet_id"] for e in desk.events(BETS_REFUNDED)) == sorted(
            [bet_ids[0], bet_ids[2]]
        )
    finally:
        desk.close()


def test_only_a_placed_bet_is_found_by_its_position(r5: Desk) -> None:
    placed, retry = r5.send(
        r5.bet("k1", "R5", "WIN", 500, selection=[3]), r5.bet("k1", "R5", "WIN", 500, selection=[3])
    )
    rejected = r5.send(r5.bet("k2", "R5", "WIN", 500, selection=[12]))[0]
    outcomes = r5.run()
    assert outcomes[retry] == outcomes[placed]  # the retry placed nothing at its position

    def position(command_id: str) -> str:
        record = r5.command(command_id)
        return f"R5:{record.partition}:{record.offset}"

    for bet_id in (position(retry), position(rejected), "R5:0:99999", "R6:0:1", "R5:x:1"):
        refused = r5.cancel("R5", bet_id)
        assert (refused.error_code, refused.body["message"]) == (
            40402,
            f"Bet {bet_id} is not a standing bet of race R5.",
        ), bet_id
    assert r5.cancel("R5", position(placed)).body["status"] == "CANCELLED"
    assert r5.log.read(TopicPartition(COMMANDS, 0), 0, 1) is not None

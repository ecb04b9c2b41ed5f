"""A sequencer on a real embedded (sqlite) log, driven by hand: the tests' betting desk.

`Desk.send` appends commands to `tote_commands` exactly as the intake would (keyed by
race), `Desk.run` lets the sequencer take everything waiting and returns the outcomes it
committed, and `Desk.events` reads a contract topic back, decoded with the schema the
registry holds for it (checking the Confluent framing's schema id on the way).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tote.core.records import LogRecord, Position, Record, TopicPartition
from tote.log.base import Log
from tote.log.sqlite import SqliteLog
from tote.pools.commands import (
    CancelBet,
    CloseBetting,
    Command,
    DeclareResult,
    OpenRace,
    PlaceBet,
    PoolRules,
    ScratchRunner,
    VoidRace,
    encode_command,
)
from tote.pools.events import EventCodecs
from tote.pools.outcomes import CommandOutcome, decode_outcomes
from tote.pools.sequencer import Sequencer
from tote.pools.sequencer_state import STORE
from tote.pools.topics import COMMANDS, OUTCOMES, ensure_topics
from tote.registry import Registry
from tote.serde.avro import AvroCodec


@dataclass
class Desk:
    log: Log
    registry: Registry
    sequencer: Sequencer
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _sent: dict[str, Position] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, member_id: str = "desk") -> Desk:
        """A desk on a new sqlite log at `path`."""
        return cls.over(SqliteLog(path), member_id)

    @classmethod
    def over(cls, log: Log, member_id: str = "desk", session_timeout_ms: int = 10_000) -> Desk:
        """A desk on `log` (which it closes when it closes)."""
        registry = Registry(log)
        registry.start()
        ensure_topics(log)
        sequencer = Sequencer(
            log, EventCodecs(registry), member_id=member_id, session_timeout_ms=session_timeout_ms
        )
        return cls(log, registry, sequencer)

    def restart(self, member_id: str = "desk") -> None:
        """A new sequencer on the same log (what a restarted service runs)."""
        self.sequencer.close()
        self.sequencer = Sequencer(
            self.log,
            EventCodecs(self.registry),
            member_id=member_id,
            session_timeout_ms=self.sequencer.session_timeout_ms,
        )

    def close(self) -> None:
        self.sequencer.close()
        self.registry.close()
        self.log.close()

    # -- commands ------------------------------------------------------------------------------

    def cid(self) -> str:
        return f"c{next(self._ids)}"

    def send(self, *commands: Command) -> list[str]:
        """Append the commands in this order; their command ids."""
        positions = self.log.append(
            COMMANDS, [Record(encode_command(c), c.race_id.encode()) for c in commands]
        )
        for command, position in zip(commands, positions, strict=True):
            self._sent[command.id] = position
        return [c.id for c in commands]

    def command(self, command_id: str) -> LogRecord:
        """The record a sent command became in `tote_commands`."""
        position = self._sent[command_id]
        [record] = self.log.read(TopicPartition(COMMANDS, position.partition), position.offset, 1)
        return record

    def last_command(self) -> LogRecord:
        return self.command(list(self._sent)[-1])

    def run(self, timeout_s: float = 60.0, *, faults: bool = False) -> dict[str, CommandOutcome]:
        """Sequence until every command sent has its outcome; all outcomes, by command id.

        (Waits rather than stopping at the first empty poll: a Kafka consumer may not have
        fetched what was just appended.) With `faults`, through `Sequencer.advance`, the
        thread's fault policy (the pauses it asks for skipped).
        """
        deadline = time.monotonic() + timeout_s
        while True:
            if faults:
                self.sequencer.advance(0.05)
            else:
                self.sequencer.step(0.05)
            outcomes = self.outcomes()
            missing = set(self._sent) - set(outcomes)
            if not missing:
                return outcomes
            assert time.monotonic() < deadline, f"no outcome for {sorted(missing)}"

    def outcomes(self) -> dict[str, CommandOutcome]:
        """Every outcome committed so far, by command id (the desk's commands are each a
        request of their own: seq 0)."""
        return {
            r.key.decode(): outcome
            for r in self.records(OUTCOMES)
            if r.key is not None and r.value is not None
            for seq, outcome in decode_outcomes(r.value)
            if seq == 0
        }

    def sent_ids(self) -> list[str]:
        return list(self._sent)

    def do(self, command: Command) -> CommandOutcome:
        """Send one command and return its outcome."""
        [command_id] = self.send(command)
        return self.run()[command_id]

    def open_race(
        self, race_id: str, runners: list[int], pools: list[PoolRules | str] | None = None
    ) -> CommandOutcome:
        return self.do(self.open_race_command(race_id, runners, pools))

    def open_race_command(
        self, race_id: str, runners: list[int], pools: list[PoolRules | str] | None = None
    ) -> OpenRace:
        rules = (
            None if pools is None else [PoolRules(p) if isinstance(p, str) else p for p in pools]
        )
        return OpenRace(self.cid(), race_id, 1, runners, rules)

    def bet(
        self,
        key: str,
        race_id: str,
        pool: str,
        stake_cents: int,
        *,
        selection: list[int] | None = None,
        box: list[int] | None = None,
        sent_at: int = 1,
    ) -> PlaceBet:
        return PlaceBet(self.cid(), race_id, sent_at, key, pool, stake_cents, selection, box)

    def close_race(self, race_id: str, sent_at: int = 1) -> CloseBetting:
        return CloseBetting(self.cid(), race_id, sent_at)

    def scratch(self, race_id: str, runner: int) -> CommandOutcome:
        return self.do(ScratchRunner(self.cid(), race_id, 1, runner))

    def result(self, race_id: str, result: list[list[int]]) -> CommandOutcome:
        return self.do(DeclareResult(self.cid(), race_id, 1, result))

    def void(self, race_id: str) -> CommandOutcome:
        return self.do(VoidRace(self.cid(), race_id, 1))

    def cancel(self, race_id: str, bet_id: str) -> CommandOutcome:
        return self.do(CancelBet(self.cid(), race_id, 1, bet_id))

    # -- reading the log back -------------------------------------------------------------------

    def records(self, topic: str) -> list[LogRecord]:
        """Every record of a topic, partition by partition, in offset order."""
        out: list[LogRecord] = []
        for info in self.log.describe_topic(topic).partitions:
            out.extend(self.log.read(TopicPartition(topic, info.partition), 0, 1_000_000))
        return out

    def events(self, topic: str) -> list[dict[str, Any]]:
        """A contract topic's values, decoded with the schema registered for it."""
        records = self.records(topic)
        if not records:
            return []
        version = self.registry.get_version(f"{topic}-value")
        codec = AvroCodec(version.schema)
        values = []
        for record in records:
            assert record.value is not None
            schema_id, value = codec.decode_framed(record.value)
            assert schema_id == version.id
            values.append(value)
        return values


def corrupt_store_row(log: Log, key: bytes) -> None:
    """Overwrite a row of the sequencer's store with bytes that are not msgpack (what a bad
    disk, or an incompatible older version, leaves behind)."""
    producer = log.transactional_producer("test-corrupter")
    txn = producer.begin()
    txn.put(STORE, key, b"\xc1 not msgpack")
    txn.commit()
    producer.close()

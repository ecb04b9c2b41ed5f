"""The sequencer's state store: races, the dedupe table and the tickets still standing.

One log state store, `tote-sequencer`, holds (keys are bytes, values msgpack):

    r/<race>                  RaceState        the race, its pools and running totals
    k/<race>/<idempotency>    DedupeEntry      a bet's outcome, for retries (spec §9.2),
                                               and while it stands, an accepted bet's ticket
    c/<race>/<bet id>         CommandOutcome   a cancellation, so a retried cancel repeats

A bet is one row: its dedupe entry carries its ticket, dropped once the bet is cancelled,
fully refunded or voided (after the result nothing reads tickets any more). A ticket is
found by its bet id through the command at the bet's log position (`<race>:<partition>:
<offset>`, whose idempotency key names the entry), or failing that by a scan of the race.

The store's changes commit in the same log transaction as the events they go with and the
consumed command offsets, so after a crash it is exactly as of the last committed batch
(on Kafka it is rebuilt from its compacted changelog). `BatchView` is one batch's view:
reads see the batch's own writes, and `flush` hands every write to the transaction.
Idempotency keys are scoped to their race: the same key on another race is another bet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import msgspec

from tote.log.base import Log, StateStore, Transaction
from tote.pools.commands import Command, PlaceBet
from tote.pools.outcomes import CommandOutcome
from tote.pools.race_state import RaceState
from tote.pools.tickets import Ticket

STORE = "tote-sequencer"
T = TypeVar("T")
_ENCODER = msgspec.msgpack.Encoder()
_ABSENT = object()


class DedupeEntry(msgspec.Struct, frozen=True):
    fingerprint: str
    outcome: CommandOutcome
    ticket: Ticket | None = None  # an accepted bet's, while it stands


# The command at a log position of `tote_commands` (partition, offset): None if it cannot
# be read any more, LookupError if the position never held a record.
CommandAt = Callable[[int, int], Command | None]


def race_key(race_id: str) -> bytes:
    return b"r/" + race_id.encode()


def dedupe_key(race_id: str, idempotency_key: str) -> bytes:
    return b"k/" + race_id.encode() + b"/" + idempotency_key.encode()


def dedupe_prefix(race_id: str) -> bytes:
    return b"k/" + race_id.encode() + b"/"


def cancel_key(race_id: str, bet_id: str) -> bytes:
    return b"c/" + race_id.encode() + b"/" + bet_id.encode()


def _decode(data: bytes, kind: type[T]) -> T:
    return msgspec.msgpack.decode(data, type=kind)


class BatchView:
    """The store as one batch sees it; `flush` writes the batch's changes into a transaction."""

    def __init__(self, store: StateStore, command_at: CommandAt | None = None) -> None:
        self._store = store
        self._command_at = command_at
        self._values: dict[bytes, Any] = {}  # read or written this batch; None = deleted
        self._dirty: set[bytes] = set()
        self._bets: dict[tuple[str, str], bytes] = {}  # (race, bet id) -> its entry's key

    def _get(self, key: bytes, kind: type[T]) -> T | None:
        value = self._values.get(key, _ABSENT)
        if value is _ABSENT:
            raw = self._store.get(key)
            value = None if raw is None else _decode(raw, kind)
            self._values[key] = value
        return value  # type: ignore[no-any-return]

    def _put(self, key: bytes, value: object) -> None:
        self._values[key] = value
        self._dirty.add(key)

    def race(self, race_id: str) -> RaceState | None:
        return self._get(race_key(race_id), RaceState)

    def put_race(self, race: RaceState) -> None:
        self._put(race_key(race.race_id), race)

    def dedupe(self, key: bytes) -> DedupeEntry | None:
        """The dedupe entry at `key` (its `dedupe_key`: a caller needs it twice, so it
        makes it once)."""
        return self._get(key, DedupeEntry)

    def prefetch_dedupe(self, bets: Iterable[tuple[str, str]]) -> None:
        """Read the dedupe entries of (race, idempotency key) pairs in one `get_many`: a
        batch's bets are looked up together rather than one store read each.

        An entry that does not decode is left unread: the bet it belongs to reads it again
        (and fails), so the sequencer blames that one command, not the whole batch."""
        wanted = dict.fromkeys(dedupe_key(race_id, key) for race_id, key in bets)
        keys = [key for key in wanted if key not in self._values]
        for key, raw in zip(keys, self._store.get_many(keys), strict=True):
            if raw is None:
                self._values[key] = None
                continue
            try:
                self._values[key] = _decode(raw, DedupeEntry)
            except msgspec.DecodeError:  # ValidationError is one too
                continue

    def put_dedupe(self, key: bytes, entry: DedupeEntry) -> None:
        self._put(key, entry)

    def ticket(self, race_id: str, bet_id: str) -> Ticket | None:
        """The standing ticket of a bet, or None (no such bet, or no longer standing)."""
        key = self._bets.get((race_id, bet_id)) or self._find_bet(race_id, bet_id)
        entry = None if key is None else self._get(key, DedupeEntry)
        return None if entry is None else entry.ticket

    def put_ticket(self, race_id: str, bet_id: str, ticket: Ticket | None) -> None:
        """Store a changed ticket, or with None drop it, of a bet found by `ticket` or
        `tickets` this batch."""
        key = self._bets[race_id, bet_id]
        entry = self._get(key, DedupeEntry)
        assert entry is not None
        self._put(key, msgspec.structs.replace(entry, ticket=ticket))

    def tickets(self, race_id: str) -> Iterator[tuple[str, Ticket]]:
        """Every standing ticket of a race, in bet-id byte order, this batch's changes in."""
        standing = []
        for key, entry in self._entries(race_id):
            if entry.ticket is not None:
                bet_id = entry.outcome.body["bet_id"]
                self._bets[race_id, bet_id] = key
                standing.append((bet_id.encode(), bet_id, entry.ticket))
        standing.sort()
        for _, bet_id, ticket in standing:
            yield bet_id, ticket

    def _entries(self, race_id: str) -> Iterator[tuple[bytes, DedupeEntry]]:
        """Every dedupe entry of a race (committed, with this batch's changes)."""
        prefix = dedupe_prefix(race_id)
        for key, raw in self._store.items(prefix):
            if key not in self._values:
                self._values[key] = _decode(raw, DedupeEntry)
        for key, value in list(self._values.items()):
            if value is not None and key.startswith(prefix):
                yield key, value

    def _find_bet(self, race_id: str, bet_id: str) -> bytes | None:
        """The entry key of bet `bet_id`: through the command at its log position (the
        bet id is `<race>:<partition>:<offset>`), else by a scan of the race's entries."""
        parts = bet_id.rsplit(":", 2)
        if len(parts) != 3 or parts[0] != race_id:
            return None
        if not (parts[1].isdigit() and parts[2].isdigit()):
            return None
        command = None
        if self._command_at is not None:
            try:
                command = self._command_at(int(parts[1]), int(parts[2]))
            except LookupError:  # no such position: no such bet
                return None
        if command is None:  # not readable (gone by retention?): look through the race's bets
            keys = [key for key, _ in self._entries(race_id)]
        elif isinstance(command, PlaceBet) and command.race_id == race_id:
            keys = [dedupe_key(race_id, command.idempotency_key)]
        else:
            return None
        for key in keys:
            entry = self._get(key, DedupeEntry)
            if entry is not None and entry.outcome.body.get("bet_id") == bet_id:
                self._bets[race_id, bet_id] = key
                return key
        return None

    def cancellation(self, race_id: str, bet_id: str) -> CommandOutcome | None:
        return self._get(cancel_key(race_id, bet_id), CommandOutcome)

    def put_cancellation(self, race_id: str, bet_id: str, outcome: CommandOutcome) -> None:
        self._put(cancel_key(race_id, bet_id), outcome)

    def flush(self, txn: Transaction) -> None:
        """Step 3 of a sequencer commit: every change of the batch, into the transaction."""
        for key in sorted(self._dirty):
            value = self._values[key]
            txn.put(STORE, key, None if value is None else _ENCODER.encode(value))
        self._dirty.clear()


# -- committed reads, for the HTTP API and the intake's retry shortcut ------------------------


def read_race(log: Log, race_id: str) -> RaceState | None:
    raw = log.store(STORE).get(race_key(race_id))
    return None if raw is None else _decode(raw, RaceState)


def read_races(log: Log) -> list[RaceState]:
    return [_decode(raw, RaceState) for _, raw in log.store(STORE).items(b"r/")]


def read_dedupes(store: StateStore, bets: Sequence[tuple[str, str]]) -> list[DedupeEntry | None]:
    """The committed dedupe entry of each (race, idempotency key), in one `get_many`."""
    found = store.get_many([dedupe_key(race_id, key) for race_id, key in bets])
    return [None if raw is None else _decode(raw, DedupeEntry) for raw in found]

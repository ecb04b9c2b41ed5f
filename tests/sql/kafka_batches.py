"""A partition's record batches as a Kafka broker returns them to a read_committed
fetch: producer ids and epochs, transaction markers and the broker's list of aborted
transactions, which no client library shows. The crash test on Kafka uses it to prove
that a difference comes from a broker handing out records of aborted transactions.

One Fetch v4 request at a time over a plain socket, to a single-broker cluster.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

from tote.core.records import TopicPartition

_FETCH, _VERSION, _READ_COMMITTED = 1, 4, 1
_MAX_BYTES = 8 << 20
_HEADER = struct.Struct(">qiibIhiqqqhii")  # a record batch's fixed header, 61 bytes
_CONTROL, _TRANSACTIONAL = 0x20, 0x10
_MARKERS = {0: "ABORT", 1: "COMMIT"}


@dataclass(frozen=True)
class Batch:
    base_offset: int
    last_offset: int
    producer_id: int
    producer_epoch: int
    transactional: bool
    marker: str | None  # "COMMIT" or "ABORT" for a transaction marker


@dataclass
class Fetched:
    batches: list[Batch] = field(default_factory=list)
    # (producer id, first offset) of each aborted transaction the broker listed
    aborted: set[tuple[int, int]] = field(default_factory=set)


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def _receive(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        data += chunk
    return data


def _varint(data: bytes, at: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return (value >> 1) ^ -(value & 1), at
        shift += 7


def _marker(batch: bytes) -> str | None:
    """The type in a control batch's (only) record key: version int16, type int16."""
    at = _HEADER.size
    _, at = _varint(batch, at)  # record length
    at += 1  # attributes
    _, at = _varint(batch, at)  # timestamp delta
    _, at = _varint(batch, at)  # offset delta
    _, at = _varint(batch, at)  # key length
    return _MARKERS.get(struct.unpack_from(">h", batch, at + 2)[0])


def _fetch(host: str, port: int, tp: TopicPartition, offset: int) -> bytes:
    body = struct.pack(">iiiib", -1, 100, 1, _MAX_BYTES, _READ_COMMITTED)
    body += struct.pack(">i", 1) + _string(tp.topic)
    body += struct.pack(">iiqi", 1, tp.partition, offset, _MAX_BYTES)
    request = struct.pack(">hhi", _FETCH, _VERSION, 1) + _string("tote-test") + body
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _receive(sock, 4))
        return _receive(sock, size)


def read_committed_batches(bootstrap: str, tp: TopicPartition) -> Fetched:
    """Every batch of the partition a read_committed fetch returns, from offset 0."""
    host, port = bootstrap.rsplit(":", 1)
    fetched, offset = Fetched(), 0
    while True:
        data = _fetch(host, int(port), tp, offset)
        # correlation id, throttle, 1 topic (name), 1 partition: index, error, HW, LSO
        at = 12
        (name_size,) = struct.unpack_from(">h", data, at)
        at += 2 + name_size + 4
        _, error, high, _ = struct.unpack_from(">ihqq", data, at)
        assert error == 0, f"{tp}: Fetch error {error}"
        at += 22
        (listed,) = struct.unpack_from(">i", data, at)
        at += 4
        for _ in range(max(listed, 0)):
            fetched.aborted.add(struct.unpack_from(">qq", data, at))
            at += 16
        (size,) = struct.unpack_from(">i", data, at)
        records, at = data[at + 4 : at + 4 + max(size, 0)], 0
        count = len(fetched.batches)
        while at + 12 <= len(records):
            base, length = struct.unpack_from(">qi", records, at)
            batch = records[at : at + 12 + length]
            if len(batch) < 12 + length:
                break  # a partial batch at the end of the response
            _, _, _, _, _, attributes, last_delta, _, _, pid, epoch, _, _ = _HEADER.unpack_from(
                batch
            )
            control = bool(attributes & _CONTROL)
            fetched.batches.append(Batch(
                base, base + last_delta, pid, epoch, bool(attributes & _TRANSACTIONAL),
                _marker(batch) if control else None,
            ))
            at += 12 + length
        if len(fetched.batches) == count or fetched.batches[-1].last_offset + 1 >= high:
            return fetched
        offset = fetched.batches[-1].last_offset + 1


def aborted_but_shown(fetched: Fetched) -> list[Batch]:
    """Data batches of transactions that ended in an ABORT marker, returned to the
    read_committed fetch without the broker listing their transaction as aborted (the
    list is how a client knows to drop them)."""
    pending: dict[int, list[Batch]] = {}  # by producer id: its batches since its last marker
    shown: list[Batch] = []
    for batch in fetched.batches:
        if batch.marker is None:
            if batch.transactional:
                pending.setdefault(batch.producer_id, []).append(batch)
            continue
        ended = pending.pop(batch.producer_id, [])
        if batch.marker == "ABORT":
            shown += [
                b for b in ended
                if not any(pid == b.producer_id and first <= b.base_offset
                           for pid, first in fetched.aborted)
            ]
    return shown

"""`tote serve tote` as a child process, and `tote` CLI runs, for the process-level tests."""

from __future__ import annotations

from pathlib import Path

from tests.service_process import TOTE, ServiceProcess, clean_env, start_service

from tote.core.records import TopicPartition
from tote.log.sqlite import SqliteLog
from tote.pools.topics import BETS
from tote.registry import Registry
from tote.serde.avro import AvroCodec

ToteProcess = ServiceProcess
__all__ = ["TOTE", "ToteProcess", "bets_on_log", "clean_env", "start_tote"]


def start_tote(home: Path, *extra: str, port: int | None = None) -> ToteProcess:
    """Start the service on the sqlite log in `home`; return once /healthcheck answers 200."""
    return start_service("tote", home, "/healthcheck", *extra, port=port)


def bets_on_log(home: Path) -> list[tuple[str, str]]:
    """(idempotency key, bet id) of every BetPlaced on the sqlite log in `home`."""
    with SqliteLog(home / "log.db") as log, Registry(log) as registry:
        codec = AvroCodec(registry.get_version(f"{BETS}-value").schema)
        out = []
        for info in log.describe_topic(BETS).partitions:
            for record in log.read(TopicPartition(BETS, info.partition), 0, 10_000_000):
                assert record.value is not None
                value = codec.decode_framed(record.value)[1]
                out.append((value["idempotency_key"], value["bet_id"]))
        return out


def assert_each_answered_bet_once(home: Path, accepted: dict[str, str],
                                  retried: dict[str, str]) -> None:
    """The log holds every bet a client saw ACCEPTED (first time or on a retry) exactly
    once, under the bet id it was given, and no other."""
    on_log = bets_on_log(home)
    keys = [key for key, _ in on_log]
    assert len(keys) == len(set(keys)), "a bet was written twice"
    ids = dict(on_log)
    assert {key: ids.get(key) for key in accepted} == accepted
    assert {key: ids.get(key) for key in retried} == retried
    assert set(ids) == set(accepted) | set(retried)

"""`tote bench pipeline`'s "same outputs" baseline is a fair yardstick only if the
hand-written program writes exactly what the engine writes: every output topic of the
seed's statements, record for record. The "fused" phase is the same program with the
engine's own encoders, so it must write the very same bytes too."""

from __future__ import annotations

from pathlib import Path

from tests.sql.crashkit import assert_same_records

from tote.bench import pipeline_worker
from tote.bench.pipeline import Shape, prepare
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_copy import copy_log

BETS = 2_500  # more than two engine steps, over few races so pools repeat in a step


def test_the_hand_written_baseline_writes_what_the_engine_writes(tmp_path: Path) -> None:
    prepare(tmp_path / "bets.db", Shape(BETS, 20, 12))
    copy_log(tmp_path / "bets.db", tmp_path / "engine.db")
    copy_log(tmp_path / "bets.db", tmp_path / "outputs.db")
    copy_log(tmp_path / "bets.db", tmp_path / "fused.db")
    pipeline_worker.engine(tmp_path / "engine.db")
    pipeline_worker.outputs(tmp_path / "outputs.db", BETS)
    pipeline_worker.fused(tmp_path / "fused.db", BETS)
    with SqliteLog(tmp_path / "engine.db") as engine, \
            SqliteLog(tmp_path / "outputs.db") as outputs, \
            SqliteLog(tmp_path / "fused.db") as fused:
        for topic in pipeline_worker.OUTPUT_TOPICS:
            assert assert_same_records(engine, outputs, topic) == BETS
            assert assert_same_records(engine, fused, topic) == BETS

"""What `tote_dividends` promises: only final rows (each pool settled once, from all of its
priced combinations), nothing for a second result or a void race, on both embedded logs;
and the seed's own pipeline still yields its rows beside pools.sql."""

from __future__ import annotations

import json
from typing import Any

from tests.pools_sql.pipeline import PoolsPipeline

from tote.core.records import Record
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.pools import parse_case, settle
from tote.poolsql import with_tote_functions
from tote.seed.files import load_payloads, load_statements
from tote.serde.avro import AvroCodec
from tote.serde.avro_json import from_avro_json
from tote.sql.engine import Engine


def _dead_heat_card(pipe: PoolsPipeline) -> None:
    """A race whose pools each price several combinations: a PLACE pool under
    NEXT_FINISHER (every finisher), a dead heat for second in the EXACTA, a SHOW pool."""
    race = pipe.race("DH", [1, 2, 3, 4, 5, 6])
    race.pool("PLACE", takeout_bp=1425, places=3)
    race.pool("EXACTA", takeout_bp=1650, unbacked="CARRY_NET")
    race.pool("SHOW", takeout_bp=1425, places=3, split="POOL")
    for runner in range(1, 7):
        race.bet("PLACE", [str(runner)], runner * 1_000)
        race.bet("SHOW", [str(runner)], (7 - runner) * 700)
    for combination, cents in [
        ("1-2", 4_000),
        ("1-3", 2_500),
        ("2-1", 3_000),
        ("3-1", 900),
        ("1-4", 800),
    ]:
        race.bet("EXACTA", [combination], cents)
    race.close()
    race.result([[1], [2, 3], [4], [5], [6]])


def test_every_row_is_final_and_each_pool_is_declared_once(pipe: PoolsPipeline) -> None:
    _dead_heat_card(pipe)
    pipe.run()
    sets = pipe.rows("TOTE_RESULT_SETS")
    partial = [s for s in sets if s["COLLECTED"] < s["CANDIDATES"]]
    assert partial, "the totals arrive one by one: the pipeline must wait for all of them"
    rows = pipe.dividends("DH")
    by_pool: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_pool.setdefault(row["POOL"], []).append(row)
    assert {p: sorted(r["COMBINATION"] for r in found) for p, found in by_pool.items()} == {
        "PLACE": ["1", "2", "3"],
        "EXACTA": ["1-2", "1-3"],
        "SHOW": ["1", "2", "3"],
    }
    # ...and each row is the calculator's price for the whole pool, not a partial one.
    place = settle(
        parse_case(
            {
                "pool": "PLACE",
                "takeout_bp": 1425,
                "places": 3,
                "unbacked": "NEXT_FINISHER",
                "bets": [
                    {"id": str(r), "selection": [r], "stake_cents": r * 1_000} for r in range(1, 7)
                ],
                "result": [[1], [2, 3], [4], [5], [6]],
            }
        )
    )
    assert {r["COMBINATION"]: r["PER_UNIT_CENTS"] for r in by_pool["PLACE"]} == {
        "-".join(map(str, d.selection)): d.per_unit_cents for d in place.dividends
    }
    exacta = {r["COMBINATION"]: r["PER_UNIT_CENTS"] for r in by_pool["EXACTA"]}
    # gross 11,200, takeout 16.5% 1,848, net 9,352; a dead heat for second makes 1-2 and 1-3
    # winners: profit 9,352 - 6,500 = 2,852, half each. 1-2: (4,000 + 1,426) / 4,000 =
    # 1.3565 -> 1.30; 1-3: (2,500 + 1,426) / 2,500 = 1.5704 -> 1.50.
    assert exacta == {"1-2": 130, "1-3": 150}


def test_a_second_result_and_a_result_after_a_void_declare_nothing(pipe: PoolsPipeline) -> None:
    race = pipe.race("TWICE", [1, 2, 3])
    race.pool("WIN", takeout_bp=1500)
    race.bet("WIN", ["1"], 5_000)
    race.bet("WIN", ["2"], 5_000)
    race.close()
    race.result([[1], [2], [3]])
    pipe.run()
    first = pipe.dividends("TWICE")
    race.result([[2], [1], [3]])  # the result cannot be re-declared
    void = pipe.race("VOID", [1, 2])
    void.pool("WIN", takeout_bp=1500)
    void.bet("WIN", ["1"], 5_000)
    void.void()
    void.result([[1], [2]])
    pipe.run()
    assert [(r["COMBINATION"], r["PER_UNIT_CENTS"]) for r in first] == [("1", 170)]
    assert pipe.dividends("TWICE") == first
    assert pipe.dividends("VOID") == []


def test_the_pipeline_runs_on_the_sqlite_log_too(any_log: Log) -> None:
    with PoolsPipeline.start(any_log) as pipe:
        _dead_heat_card(pipe)
        pipe.run()
        assert sorted((r["POOL"], r["COMBINATION"]) for r in pipe.dividends("DH")) == [
            ("EXACTA", "1-2"),
            ("EXACTA", "1-3"),
            ("PLACE", "1"),
            ("PLACE", "2"),
            ("PLACE", "3"),
            ("SHOW", "1"),
            ("SHOW", "2"),
            ("SHOW", "3"),
        ]


# The seed README's odds rows: RACE_ID, RUNNER_ID, RUNNER_POOL_AMOUNT, RACE_POOL_AMOUNT.
SEED_ODDS = [
    (0, 1, 25.0, 25.0),
    (0, 2, 50.0, 75.0),
    (0, 1, 75.0, 125.0),
    (0, 2, 55.0, 130.0),
    (0, 2, 65.0, 140.0),
    (0, 2, 85.0, 160.0),
    (0, 2, 65.0, 140.0),
    (0, 1, 75.0, 140.0),
    (0, 2, 65.0, 140.0),
]


def _post_seed_payloads(pipe: PoolsPipeline) -> None:
    """What the REST proxy does with the seed's payloads: Avro-frame with their schema id."""
    for payload in load_payloads():
        body = json.loads(payload.body)
        schema_id = body["value_schema_id"]
        codec = AvroCodec(pipe.registry.get_schema(schema_id).schema)
        pipe.log.append(
            "tote_win_bets",
            [
                Record(codec.encode_framed(schema_id, from_avro_json(codec.schema, r["value"])))
                for r in body["records"]
            ],
        )
        pipe.run()


def test_the_seed_pipeline_yields_its_rows_beside_the_pools() -> None:
    with (
        MemoryLog() as log,
        PoolsPipeline.start(log, extra_sql="\n".join(load_statements())) as pipe,
    ):
        race = pipe.race("SEED", [1, 2])
        race.pool("WIN", takeout_bp=1500)
        race.bet("WIN", ["1"], 7_500)
        _post_seed_payloads(pipe)
        race.bet("WIN", ["2"], 2_500)
        race.close()
        race.result([[2], [1]])
        pipe.run()
        odds = pipe.rows("TOTE_WIN_BET_RACE_RUNNERS_ODDS")
        assert [
            (r["RACE_ID"], r["RUNNER_ID"], r["RUNNER_POOL_AMOUNT"], r["RACE_POOL_AMOUNT"])
            for r in odds
        ] == SEED_ODDS
        assert all(r["ODDS"] == r["RACE_POOL_AMOUNT"] / r["RUNNER_POOL_AMOUNT"] for r in odds)
        (row,) = pipe.dividends("SEED")
        assert (row["COMBINATION"], row["PER_UNIT_CENTS"]) == ("2", 340)  # 8,500 / 2,500


def test_a_restarted_engine_resumes_the_statements_and_declares_once(any_log: Log) -> None:
    with PoolsPipeline.start(any_log) as pipe:
        race = pipe.race("RS", [1, 2, 3, 4])
        race.pool("WIN", takeout_bp=1500)
        race.bet("WIN", ["1"], 50_000)
        race.bet("WIN", ["2"], 30_000)
        pipe.run()
        pipe.engine.close()
        # A new engine on the same log replays the command topic: every query resumes
        # where its committed offsets and state stores left off.
        pipe.engine = Engine(any_log, pipe.registry, functions=with_tote_functions())
        pipe.engine.start()
        race.bet("WIN", ["3"], 15_000)
        race.bet("WIN", ["4"], 5_000)
        race.close()
        race.result([[2], [1], [3], [4]])
        pipe.run()
        assert [
            (r["COMBINATION"], r["PER_UNIT_CENTS"], r["GROSS_CENTS"]) for r in pipe.dividends("RS")
        ] == [("2", 280, 100_000)]

"""`tote pools settle|approximates` as a user runs them: a real `tote` process, files and stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.pools.poolkit import bet, box, on_runners

TOTE = Path(sys.executable).parent / "tote"

TC1 = {
    "pool": "WIN",
    "takeout_bp": 1500,
    "unit_cents": 100,
    "breakage_step_cents": 10,
    "bets": on_runners({1: 50_000, 2: 30_000, 3: 15_000, 4: 5_000}),
    "result": [[2], [1], [3], [4]],
}


def tote(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOTE), "pools", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settle_file(tmp_path: Path, document: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    run = tote("settle", str(path))
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith('{\n  "pool": ')  # indented JSON
    answer: dict[str, Any] = json.loads(run.stdout)
    return answer


def test_tc1_from_a_file_prints_the_whole_settlement(tmp_path: Path) -> None:
    answer = settle_file(tmp_path, TC1)
    assert answer == {
        "pool": "WIN",
        "outcome": "PAID",
        "accepted_cents": 100_000,
        "gross_cents": 100_000,
        "refunds_cents": 0,
        "takeout_cents": 15_000,
        "net_cents": 85_000,
        "dividends": [{"selection": [2], "per_unit_cents": 280, "winning_units": "300"}],
        "payouts_cents": 84_000,
        "payouts": [{"id": "r2", "cents": 84_000}],
        "refunds": [],
        "breakage_cents": 1_000,
        "minus_pool_cents": 0,
        "carry_out_cents": 0,
        "carry_out_net_cents": 0,
    }


def test_tc9_flexi_box_from_stdin() -> None:
    document = {
        "pool": "TRIFECTA",
        "takeout_bp": 2100,
        "bets": [
            box("flexi", [1, 3, 7, 9], 1_200),
            bet("b2", 3, 1, 7, cents=750),
            bet("b3", 1, 2, 3, cents=498_050),
        ],
        "result": [[3], [1], [7], [2]],
    }
    run = tote("settle", "-", stdin=json.dumps(document))
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["dividends"] == [
        {"selection": [3, 1, 7], "per_unit_cents": 49_370, "winning_units": "8"}
    ]
    assert answer["payouts"] == [{"id": "flexi", "cents": 24_685}, {"id": "b2", "cents": 370_275}]
    assert (answer["payouts_cents"], answer["breakage_cents"]) == (394_960, 40)


def test_tc5_scratched_exacta_and_tc7_carry(tmp_path: Path) -> None:
    tc5 = {
        "pool": "EXACTA",
        "takeout_bp": 2000,
        "scratched": [4],
        "result": [[1], [2], [3]],
        "bets": [
            bet("e12", 1, 2, cents=6_000),
            bet("e21", 2, 1, cents=4_000),
            bet("e13", 1, 3, cents=5_000),
            bet("e31", 3, 1, cents=3_000),
            bet("e23", 2, 3, cents=2_000),
            bet("e41", 4, 1, cents=2_000),
        ],
    }
    answer = settle_file(tmp_path, tc5)
    assert answer["refunds"] == [{"id": "e41", "cents": 2_000}]
    assert (answer["gross_cents"], answer["payouts_cents"], answer["breakage_cents"]) == (
        20_000,
        15_600,
        400,
    )
    tc7 = {
        "pool": "WIN",
        "takeout_bp": 1500,
        "unbacked": "CARRY_NET",
        "bets": on_runners({1: 60_000, 2: 40_000}),
        "result": [[3], [1], [2]],
    }
    answer = settle_file(tmp_path, tc7)
    assert (answer["outcome"], answer["takeout_cents"], answer["carry_out_cents"]) == (
        "CARRIED",
        15_000,
        85_000,
    )


def test_tc1_approximates_before_the_off() -> None:
    before_the_off = {key: value for key, value in TC1.items() if key != "result"}
    run = tote("approximates", "-", stdin=json.dumps(before_the_off))
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert (answer["void"], answer["net_cents"]) == (None, 85_000)
    assert [(a["selection"], a["per_unit_cents"]) for a in answer["approximates"]] == [
        ([1], 170),
        ([2], 280),
        ([3], 560),
        ([4], 1_700),
    ]


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"void": True}, "The race is void."),
        # Four declared, three scratched: one starter left, an exacta needs two.
        (
            {"field_size": 4, "scratched": [2, 3, 4]},
            "1 starter left; the EXACTA pool needs at least 2.",
        ),
    ],
)
def test_a_void_pool_shows_why_and_no_will_pays(changes: dict[str, Any], why: str) -> None:
    document = {
        "pool": "EXACTA",
        "takeout_bp": 2000,
        "bets": [bet("e12", 1, 2, cents=6_000), bet("e21", 2, 1, cents=4_000)],
        **changes,
    }
    run = tote("approximates", "-", stdin=json.dumps(document))
    assert (run.returncode, run.stderr) == (0, "")
    # Every ticket is refunded, as `settle` says: no net pool, nothing priced.
    assert json.loads(run.stdout) == {
        "pool": "EXACTA",
        "void": why,
        "net_cents": 0,
        "approximates": [],
    }
    settled = tote("settle", "-", stdin=json.dumps(document))
    assert json.loads(settled.stdout)["outcome"] == "VOID"


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (
            json.dumps({**TC1, "pool": "DUET"}),
            "Error: unknown pool 'DUET' (one of WIN, PLACE, SHOW, EXACTA, QUINELLA, TRIFECTA, "
            "FIRST4)\n",
        ),
        (
            json.dumps({**TC1, "bets": [bet("x", 1, 2, cents=100)]}),
            "Error: bet 'x': a WIN selection has 1 runner, not 2\n",
        ),
        (
            json.dumps({**TC1, "pool": "TRIFECTA", "bets": [bet("x", 1, 2, 1, cents=100)]}),
            "Error: bet 'x' names a runner twice: [1, 2, 1]\n",
        ),
        (
            json.dumps({**TC1, "scratched": [3]}),
            "Error: runner 3 is in the result but was scratched\n",
        ),
        (
            json.dumps({**TC1, "bets": [bet("x", 1, cents=-5)]}),
            "Error: bet 'x': stake_cents must be at least 1, not -5\n",
        ),
        ('{"pool": "WIN", "takeout_bp": 1500,', "Error: stdin is not valid JSON: "),
        (
            json.dumps({"pool": "WIN", "bets": [], "result": []}),
            "Error: missing field 'takeout_bp'\n",
        ),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(stdin: str, message: str) -> None:
    run = tote("settle", "-", stdin=stdin)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.startswith(message)
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    absent = tmp_path / "absent.json"
    run = tote("settle", str(absent))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"Error: cannot read {absent}: No such file or directory\n"

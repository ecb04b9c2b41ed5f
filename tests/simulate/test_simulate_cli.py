"""`tote simulate` against a real tote service: every race of the card runs to its result."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.pools_intake.process import TOTE, ToteProcess, clean_env, start_tote

from tote.simulate.card import race_card


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ToteProcess]:
    running = start_tote(tmp_path / "home")
    yield running
    running.stop()


def test_a_card_runs_every_race_to_its_result(service: ToteProcess, tmp_path: Path) -> None:
    card = race_card(3, 120, seed=8, prefix="T")  # two races with a scratching
    out = subprocess.run(
        [str(TOTE), "simulate", "--races", "3", "--bets-per-race", "120", "--seed", "8",
         "--prefix", "T", "--bets-per-second", "3000", "--url", service.url],
        capture_output=True, text=True, timeout=120, env=clean_env(tmp_path / "home"),
        check=False)
    assert out.returncode == 0, out.stderr
    said = {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(
        r"^(T-8-R\d+): (\d+) bets accepted, (\d+) rejected", out.stdout, re.M)}
    assert set(said) == {race.race_id for race in card}
    for race in card:
        answer = httpx.get(f"{service.url}/v1/races/{race.race_id}", timeout=10).json()
        assert (answer["status"], answer["meeting_id"]) == ("RESULTED", "T-8")
        assert sorted(answer["scratched"]) == sorted(race.scratched)
        accepted = sum(pool["bets"] for pool in answer["pools"])
        # Bettors leave a scratched runner alone once it is scratched: nothing is rejected.
        assert said[race.race_id] == (accepted, 0)
        # A third of the way through, the scratched runner's tickets stop being posted.
        third = len(race.bets) // 3
        expected = third + sum(1 for bet in race.bets[third:]
                               if not set(race.scratched) & {*bet.selection, *bet.box})
        assert accepted == expected
    assert any(race.scratched for race in card)


def test_an_unreachable_service_is_one_clear_error(tmp_path: Path) -> None:
    out = subprocess.run(
        [str(TOTE), "simulate", "--races", "1", "--url", "http://127.0.0.1:9"],
        capture_output=True, text=True, timeout=60, env=clean_env(tmp_path), check=False)
    assert out.returncode == 1
    assert out.stderr.startswith("Error: POST /v1/races")
    assert "Traceback" not in out.stderr

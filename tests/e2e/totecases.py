"""The worked cases of spec §10 as an operator and bettors would run them over HTTP against
the tote service: races opened with their pools' rules, bets posted, scratchings, close,
result or void. Expected figures are the spec's (cents; dividends per unit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

D = 100  # cents per dollar


@dataclass
class Case:
    race_id: str
    runners: list[int]
    pools: list[dict[str, Any]]
    bets: list[tuple[str, dict[str, Any], int]]  # pool, {"selection"|"box": [...]}, cents
    scratch: list[int] = field(default_factory=list)  # after the close, as in TC4/TC5
    result: list[list[int]] | None = None
    void: bool = False
    late: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)


def _win(race_id: str, **rules: Any) -> Case:
    return Case(race_id, [1, 2, 3, 4], [{"pool": "WIN", "takeout_bp": 1500, **rules}],
                [("WIN", {"selection": [r]}, s * D) for r, s in
                 [(1, 500), (2, 300), (3, 150), (4, 50)]])


def worked_cases() -> list[Case]:
    tc1 = _win("TC1")
    tc1.result = [[2], [1], [3], [4]]
    tc2 = Case("TC2", list(range(1, 9)), [{"pool": "PLACE", "takeout_bp": 1500, "places": 3}],
               [("PLACE", {"selection": [r]}, s * D) for r, s in
                [(1, 400), (2, 250), (3, 150), (4, 600), (5, 600)]],
               result=[[1], [2], [3], [4]])
    tc3p = _win("TC3P", split="PROFIT")
    tc3s = _win("TC3S", split="POOL")
    tc3p.result = tc3s.result = [[2, 4], [1], [3]]
    tc4 = Case("TC4", [1, 2, 3, 4, 5], [{"pool": "WIN", "takeout_bp": 1500}],
               [("WIN", {"selection": [r]}, s * D) for r, s in
                [(1, 500), (2, 300), (3, 150), (4, 50), (5, 120)]],
               scratch=[5], result=[[2], [1], [3], [4]])
    tc5 = Case("TC5", [1, 2, 3, 4], [{"pool": "EXACTA", "takeout_bp": 2000}],
               [("EXACTA", {"selection": c}, s * D) for c, s in
                [([1, 2], 60), ([2, 1], 40), ([1, 3], 50), ([3, 1], 30), ([2, 3], 20),
                 ([4, 1], 20)]],
               scratch=[4], result=[[1], [2], [3]])
    # US: $2 unit, a dime per $1 (20c per $2) breakage, minimum $2.10 per $2.
    tc6 = Case("TC6", [1, 2, 3], [{"pool": "WIN", "takeout_bp": 1600, "unit_cents": 200,
                                   "breakage_step_cents": 20, "min_dividend_cents": 210}],
               [("WIN", {"selection": [r]}, s * D) for r, s in
                [(1, 8_200), (2, 1_000), (3, 800)]],
               result=[[1], [2], [3]])
    box = {"box": [1, 3, 7, 9]}
    tc7 = []
    for policy in ("NEXT_FINISHER", "CARRY_GROSS", "CARRY_NET", "REFUND"):
        tc7.append(Case(f"TC7-{policy}", [1, 2, 3],
                        [{"pool": "WIN", "takeout_bp": 1500, "unbacked": policy}],
                        [("WIN", {"selection": [1]}, 600 * D),
                         ("WIN", {"selection": [2]}, 400 * D)],
                        result=[[3], [1], [2]]))
    # Two $12 boxes of 4 (0.5 unit on each of 24 combinations) and 7 units straight on
    # 3-1-7: 8 winning units in a $5,000 pool, as in the spec.
    tc9 = Case("TC9", [1, 2, 3, 7, 9], [{"pool": "TRIFECTA", "takeout_bp": 2100}],
               [("TRIFECTA", box, 1_200), ("TRIFECTA", box, 1_200),
                ("TRIFECTA", {"selection": [3, 1, 7]}, 700),
                ("TRIFECTA", {"selection": [1, 2, 3]}, 496_900)],
               result=[[3], [1], [7], [9]])
    # UK part-backed trifecta: 50p (half a unit) on the winner in a £1,000 pool.
    tc8 = Case("TC8", [1, 2, 3, 7, 9], [{"pool": "TRIFECTA", "takeout_bp": 2500,
                                         "unbacked": "CARRY_NET",
                                         "part_backed": "CARRY_UNWON"}],
               [("TRIFECTA", box, 1_200), ("TRIFECTA", {"selection": [1, 2, 3]}, 98_800)],
               result=[[3], [1], [7], [9]])
    tc10 = Case("TC10", [1, 2, 3], [{"pool": "WIN", "takeout_bp": 1500},
                                    {"pool": "EXACTA", "takeout_bp": 2000},
                                    {"pool": "TRIFECTA", "takeout_bp": 2100}],
                [("WIN", {"selection": [1]}, 1_000 * D),
                 ("EXACTA", {"selection": [1, 2]}, 200 * D),
                 ("TRIFECTA", {"selection": [1, 2, 3]}, 2_500 * D),
                 ("TRIFECTA", {"selection": [2, 1, 3]}, 2_500 * D)],
                void=True, late=[("WIN", {"selection": [2]}, 10 * D)])
    return [tc1, tc2, tc3p, tc3s, tc4, tc5, tc6, *tc7, tc8, tc9, tc10]


# (race, combination) → dividend per unit in cents, for every PAID row the cases declare.
PAID = {("TC1", "2"): 280, ("TC2", "1"): 170, ("TC2", "2"): 220, ("TC2", "3"): 300,
        ("TC3P", "2"): 180, ("TC3P", "4"): 600, ("TC3S", "2"): 140, ("TC3S", "4"): 850,
        ("TC4", "2"): 280, ("TC5", "1-2"): 260, ("TC6", "1"): 210,
        ("TC7-NEXT_FINISHER", "1"): 140, ("TC8", "3-1-7"): 75_000, ("TC9", "3-1-7"): 49_370}


def run_case(http: httpx.Client, case: Case) -> list[dict[str, Any]]:
    """Run one case over HTTP; the answers to its late bets (if any)."""
    opened = http.post("/v1/races", json={"race_id": case.race_id, "runners": case.runners,
                                          "pools": case.pools})
    assert opened.status_code == 200, opened.text
    body = {"bets": [{"idempotency_key": f"{case.race_id}-{n}", "race_id": case.race_id,
                      "pool": pool, "stake_cents": cents, **ticket}
                     for n, (pool, ticket, cents) in enumerate(case.bets)]}
    answer = http.post("/v1/bets", json=body)
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["ACCEPTED"] * len(case.bets)
    assert http.post(f"/v1/races/{case.race_id}/close").status_code == 200
    late = [http.post("/v1/bets", json={"idempotency_key": f"{case.race_id}-late-{n}",
                                        "race_id": case.race_id, "pool": pool,
                                        "stake_cents": cents, **ticket}).json()
            for n, (pool, ticket, cents) in enumerate(case.late)]
    for runner in case.scratch:
        done = http.post(f"/v1/races/{case.race_id}/scratch", json={"runner": runner})
        assert done.status_code == 200, done.text
    if case.void:
        assert http.post(f"/v1/races/{case.race_id}/void").status_code == 200
    if case.result is not None:
        done = http.post(f"/v1/races/{case.race_id}/result", json={"result": case.result})
        assert done.status_code == 200, done.text
    return late

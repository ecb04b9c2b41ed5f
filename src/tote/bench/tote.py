"""`tote bench tote`: the tote domain's two figures of issue #10 point 8, in one report.

* intake: bets/s sustained over HTTP into the tote service (idempotent, answered only
  after the sequencer's exactly-once commit), beside the same BetPlaced records appended
  straight to the log (`tote.bench.tote_intake`);
* pools: the shipped pools.sql over one race of bets across every pool type on the
  embedded log, exactly-once, and the time from the RESULT event to the race's last
  dividend row (`tote.bench.tote_pools`).

The issue's targets are on intake (≥ 20,000 bets/s sustained) and on the dividends (≤ 1 s
after the result); the whole chain sustains the slower of the two rates, reported beside
them (intake and the pools queries run in separate processes).
"""

from __future__ import annotations

from typing import Any

from tote.bench import tote_intake, tote_pools
from tote.bench.common import emit_result

TARGETS = {"intake_bets_per_s": 20_000.0, "result_to_dividends_s": 1.0}


def run(intake: tote_intake.Settings, pools: tote_pools.Settings) -> dict[str, Any]:
    took = tote_intake.run(intake)
    priced = tote_pools.run(pools, intake.workdir)
    chain = min(took["bets_per_s"], priced["bets_per_s"])
    met = {"intake_bets_per_s": took["bets_per_s"] >= TARGETS["intake_bets_per_s"],
           "result_to_dividends_s":
               priced["result_to_dividends_s"] <= TARGETS["result_to_dividends_s"]}
    return {"bench": "tote", "intake": took, "pools": priced, "bets_per_s": chain,
            "result_to_dividends_s": priced["result_to_dividends_s"],
            "targets": TARGETS, "met": met}


def report(result: dict[str, Any]) -> None:
    took, priced = result["intake"], result["pools"]
    print(f"intake over HTTP   {took['bets_per_s']:>10,.0f} bets/s  "
          f"({took['accepted']:,} accepted; p50 {took['p50_ms']:.1f} ms, "
          f"p99 {took['p99_ms']:.1f} ms per batch)")
    print(f"  baseline         {took['baseline_bets_per_s']:>10,.0f} bets/s appended "
          f"straight to the log (ratio {took['ratio']:.2f})")
    print(f"pools.sql          {priced['bets_per_s']:>10,.0f} bets/s  "
          f"({priced['bets']:,} bets, {priced['combination_moves']:,} combination moves, "
          f"{priced['cpu_s']:.1f} CPU s)")
    print(f"result → dividends {priced['result_to_dividends_s'] * 1000:>10,.0f} ms  "
          f"({priced['dividend_rows']} dividend rows)")
    met = result["met"]
    print(f"whole chain        {result['bets_per_s']:>10,.0f} bets/s  (the slower of the two)")
    print(f"targets: intake ≥ {TARGETS['intake_bets_per_s']:,.0f} bets/s "
          f"{'met' if met['intake_bets_per_s'] else 'MISSED'}; dividends ≤ "
          f"{TARGETS['result_to_dividends_s']:.0f} s after the result "
          f"{'met' if met['result_to_dividends_s'] else 'MISSED'}")
    emit_result(result)

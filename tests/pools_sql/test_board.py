"""The live board (`tote_approximates`): a combination's row follows its own stake at once;
the whole pool re-prices on the first bet of each period of event time (1 s for WIN), on
every cancellation or refund, and at the close of betting."""

from __future__ import annotations

from tests.pools_sql.pipeline import PoolsPipeline


def _board(pipe: PoolsPipeline) -> dict[str, tuple[int, int | None, bool]]:
    return {
        c: (r["NET_CENTS"], r["APPROXIMATE_CENTS"], r["CLOSED"])
        for c, r in pipe.approximates("B/WIN").items()
    }


def test_the_board_reprices_once_a_period_on_returns_and_at_the_close(pipe: PoolsPipeline) -> None:
    race = pipe.race("B", [1, 2, 3])
    race.pool("WIN", takeout_bp=1000)
    race.bet("WIN", ["1"], 1_000)  # the first bet prices the pool: net 900
    race.bet("WIN", ["2"], 1_000)  # same second: only its own row moves, at net 900
    pipe.run()
    assert _board(pipe) == {"1": (900, 90, False), "2": (900, 90, False)}
    pipe.advance(1_000)
    third = race.bet("WIN", ["3"], 1_000)  # a new second: the whole board at net 2,700
    pipe.run()
    assert _board(pipe) == {
        "1": (2_700, 270, False),
        "2": (2_700, 270, False),
        "3": (2_700, 270, False),
    }
    race.cancel(third)  # a cancellation re-prices at once: net 1,800
    pipe.run()
    assert _board(pipe) == {
        "1": (1_800, 180, False),
        "2": (1_800, 180, False),
        "3": (1_800, None, False),
    }
    race.bet("WIN", ["1"], 1_000)  # same second again: row 1 alone, at the last net
    pipe.run()
    assert _board(pipe)["1"] == (1_800, 90, False) and _board(pipe)["2"] == (1_800, 180, False)
    race.close()  # the final board: net 2,700 on 2,000 / 1,000 / nothing
    pipe.run()
    assert _board(pipe) == {
        "1": (2_700, 130, True),
        "2": (2_700, 270, True),
        "3": (2_700, None, True),
    }

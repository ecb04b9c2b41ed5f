"""The doubling pause between retries, shared by everything that retries (the sequencer
after a log failure, the stack supervisor after a crash), so they back off alike."""

from __future__ import annotations


def doubling_backoff(first_s: float, max_s: float, attempt: int) -> float:
    """The pause before retry number `attempt` (1 = the first): `first_s`, doubled per
    attempt after the first, never more than `max_s`. An attempt below 1 pauses `first_s`."""
    return float(min(max_s, first_s * 2.0 ** max(0, attempt - 1)))

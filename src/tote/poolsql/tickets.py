"""What a cancellation or refund takes out of each combination of a ticket.

A single-combination ticket simply loses its stake. A flexi box is subtler: a scratching
refunds the combinations holding the scratched runner (the sequencer rounds that refund up
to the cent, `tote.pools.tickets`), and the rest of the stake stands spread evenly over
the combinations left (`tote.pools.ledger`). So a refund changes the share of every
combination the ticket still holds, not only of the refunded ones.

`TOTE_TICKET` (an aggregate per bet id) remembers what stands of a ticket before and
after its latest change; `TOTE_RESPREAD` turns that into one exact delta per combination.
Only box tickets and the cancellations/refunds reach `TOTE_TICKET`, so a pool's state does
not grow with its single bets.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.poolsql.exact import CATEGORY, format_cents
from tote.sql.functions import AggregateFunction, Aggregator, ScalarFunction
from tote.sql.functions.base import Variant, variant
from tote.sql.functions.patterns import Concrete, parse_params
from tote.sql.functions.resolution import NoMatchingVariant

STANDING = t.struct(
    ("BEFORE_COMBINATIONS", t.array(t.STRING)),
    ("BEFORE_CENTS", t.BIGINT),
    ("COMBINATIONS", t.array(t.STRING)),
    ("CENTS", t.BIGINT),
)
CHANGE = t.struct(("COMBINATION", t.STRING), ("CENTS", t.STRING))

Standing = tuple[list[str], int]
_EMPTY: Standing = ([], 0)


class TicketStanding(Aggregator):
    """TOTE_TICKET(kind, combinations, stake_cents): the standing part of one ticket.

    kind BET records the ticket; REFUND removes the refunded combinations and cents;
    CANCEL removes everything. A refund or cancellation of a ticket never seen as a box
    (a single bet) stands for itself: what it names was all that stood.
    """

    return_type = STANDING
    supports_undo = False

    def init(self) -> tuple[Standing | None, Standing]:
        return (None, _EMPTY)

    def add(
        self, acc: tuple[Standing | None, Standing], *args: Any
    ) -> tuple[Standing | None, Standing]:
        kind, combinations, stake = args
        if kind is None or combinations is None or stake is None:
            return acc
        current, _ = acc
        named: Standing = (list(combinations), int(stake))
        if kind == "BET":
            return (named, _EMPTY)
        before = current if current is not None else named
        if kind == "CANCEL" or current is None:
            return (_EMPTY, before)
        gone = set(combinations)
        left = [c for c in before[0] if c not in gone]
        return ((left, before[1] - int(stake)) if left else _EMPTY, before)

    def result(self, acc: tuple[Standing | None, Standing]) -> dict[str, Any]:
        current, before = acc
        now = current if current is not None else _EMPTY
        return {
            "BEFORE_COMBINATIONS": list(before[0]),
            "BEFORE_CENTS": before[1],
            "COMBINATIONS": list(now[0]),
            "CENTS": now[1],
        }

    def merge(
        self, a: tuple[Standing | None, Standing], b: tuple[Standing | None, Standing]
    ) -> tuple[Standing | None, Standing]:
        return b if b[0] is not None else a

    def to_state(self, acc: tuple[Standing | None, Standing]) -> Any:
        current, before = acc
        return [None if current is None else [current[0], current[1]], [before[0], before[1]]]

    def from_state(self, state: Any) -> tuple[Standing | None, Standing]:
        current, before = state
        return (
            None if current is None else (list(current[0]), int(current[1])),
            (list(before[0]), int(before[1])),
        )


def _ticket(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    shapes = [x.base for x in types]
    element = types[1].element if len(types) == 3 else None
    if literals or shapes != [Base.STRING, Base.ARRAY, Base.BIGINT] or element != t.STRING:
        raise NoMatchingVariant(
            "Function 'TOTE_TICKET' accepts (STRING kind, ARRAY<STRING> "
            "combinations, BIGINT stake_cents)."
        )
    return TicketStanding()


def respread(
    before_combinations: list[str], before_cents: int, combinations: list[str], cents: int
) -> list[dict[str, str]]:
    """Exact change of each combination's share when a ticket goes from standing
    `before_cents` over `before_combinations` to `cents` over `combinations` (in the
    order of `before_combinations`; unchanged combinations left out)."""
    delta: dict[str, Fraction] = {}
    if before_combinations:
        old = Fraction(before_cents, len(before_combinations))
        for combination in before_combinations:
            delta[combination] = delta.get(combination, Fraction(0)) - old
    if combinations:
        new = Fraction(cents, len(combinations))
        for combination in combinations:
            delta[combination] = delta.get(combination, Fraction(0)) + new
    return [{"COMBINATION": c, "CENTS": format_cents(d)} for c, d in delta.items() if d]


def functions() -> list[ScalarFunction | AggregateFunction]:
    respread_variant = Variant(
        parse_params(
            "ARRAY<STRING> before_combinations, BIGINT before_cents, "
            "ARRAY<STRING> combinations, BIGINT cents"
        ),
        Concrete(t.array(CHANGE)),
        respread,
        description="One exact delta per combination (cents text) for a ticket's change.",
    )
    return [
        AggregateFunction(
            "TOTE_TICKET",
            "What stands of one ticket before and after its latest BET, CANCEL or REFUND: "
            "the combinations and cents, for TOTE_RESPREAD.",
            (variant("STRING kind, ARRAY<STRING> combinations, BIGINT stake_cents -> STRUCT"),),
            _ticket,
            value_args=3,
            table_safe=False,
            category=CATEGORY,
        ),
        ScalarFunction(
            "TOTE_RESPREAD",
            CATEGORY,
            "The exact change of each combination's share (cents text) when a ticket's "
            "standing stake moves from one spread to another (flexi refunds re-spread the "
            "stake that stands over the combinations left).",
            (respread_variant,),
        ),
    ]

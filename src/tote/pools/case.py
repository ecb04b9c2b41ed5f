"""What one pool settlement is asked: the pool's rules, its bets, scratchings and result.

A `PoolCase` is validated data (see `tote.pools.parsing.parse_case`), so settlement never
re-checks it. Money is integer cents; a ticket's stake is an integer, and only its share of a
box is rational (`fractions.Fraction`), never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tote.core.errors import BadRequest

Selection = tuple[int, ...]
"""A canonical combination: runners in finishing order (sorted for QUINELLA)."""

Result = tuple[tuple[int, ...], ...]
"""Official placings: one group of runners per finishing position; a group of several is a
dead heat and occupies as many positions as it has runners."""


class PoolCaseError(BadRequest):
    """A settlement input that cannot be settled: the message says what to fix."""


class PoolType(StrEnum):
    WIN = "WIN"
    PLACE = "PLACE"
    SHOW = "SHOW"
    EXACTA = "EXACTA"
    QUINELLA = "QUINELLA"
    TRIFECTA = "TRIFECTA"
    FIRST4 = "FIRST4"

    @property
    def selection_size(self) -> int:
        """Runners in one combination of this pool."""
        return _SELECTION_SIZE[self]

    @property
    def ordered(self) -> bool:
        """True where a combination's order matters (EXACTA, TRIFECTA, FIRST4)."""
        return self in (PoolType.EXACTA, PoolType.TRIFECTA, PoolType.FIRST4)

    @property
    def single_runner(self) -> bool:
        """True for WIN, PLACE and SHOW: one runner per combination, one price per runner."""
        return self.selection_size == 1


_SELECTION_SIZE = {
    PoolType.WIN: 1,
    PoolType.PLACE: 1,
    PoolType.SHOW: 1,
    PoolType.EXACTA: 2,
    PoolType.QUINELLA: 2,
    PoolType.TRIFECTA: 3,
    PoolType.FIRST4: 4,
}


class SplitMethod(StrEnum):
    """How a net pool is shared between several winning interests (spec §3.2, §4.1).

    PROFIT returns every winning stake first and splits the profit equally; POOL splits the
    net pool itself equally (dividends may then fall below the stake).
    """

    PROFIT = "PROFIT"
    POOL = "POOL"


class UnbackedPolicy(StrEnum):
    """What happens when no money is on any winning combination (spec §4.3, TC7)."""

    NEXT_FINISHER = "NEXT_FINISHER"
    """WIN/PLACE/SHOW only: the paying runners drop out and the next finishers pay."""
    CARRY_GROSS = "CARRY_GROSS"
    """UK: no takeout now, the whole gross is carried forward."""
    CARRY_NET = "CARRY_NET"
    """AU jackpot: takeout now, the net pool is carried forward."""
    REFUND = "REFUND"
    """Every stake is refunded."""


class PartBackedRule(StrEnum):
    """What happens when the winning stakes total less than one unit (spec §3.6, TC8)."""

    PAY_NET = "PAY_NET"
    """The ordinary formula: the winners share the whole net pool."""
    CARRY_UNWON = "CARRY_UNWON"
    """UK: the pool is won pro rata (winning stake / unit); the gross not won is carried
    forward and the deduction is taken on the gross won only."""


@dataclass(frozen=True, slots=True)
class Ticket:
    """One accepted bet: a single combination (`selection`) or a flexi `box`.

    A box covers every combination of `selection_size` runners drawn from `runners`
    (arrangements for ordered pools, subsets otherwise); its stake is spread evenly over them.
    For a single combination `runners` is the selection as given (canonical for QUINELLA).
    """

    id: str
    runners: Selection
    stake_cents: int
    box: bool = False


@dataclass(frozen=True, slots=True)
class PoolCase:
    """Everything needed to settle one pool. Built by `parse_case`; see docs/pools.md."""

    pool: PoolType
    takeout_bp: int
    unit_cents: int
    breakage_step_cents: int
    tickets: tuple[Ticket, ...]
    result: Result = ()
    scratched: frozenset[int] = frozenset()
    min_dividend_cents: int | None = None
    split: SplitMethod = SplitMethod.PROFIT
    places: int = 1
    unbacked: UnbackedPolicy = UnbackedPolicy.REFUND
    part_backed: PartBackedRule = PartBackedRule.PAY_NET
    carry_in_cents: int = 0
    carry_in_net_cents: int = 0
    void: bool = False
    field_size: int | None = None
    """Runners declared when the pool opened; None: not given (no minimum field applies)."""
    min_starters: int = 1
    """Fewer starters than this void the pool (`tote.pools.starters`)."""

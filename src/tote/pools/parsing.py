"""`parse_case`: JSON-shaped settlement input to a validated `PoolCase`.

Strict on purpose: money is settled from this, so an unknown field (a typo such as
`takeout`), a float stake or a runner listed twice is an error naming the field, never a guess.
Every failure is a `PoolCaseError` with a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from tote.pools.case import (
    PartBackedRule,
    PoolCase,
    PoolCaseError,
    PoolType,
    Result,
    Selection,
    SplitMethod,
    Ticket,
    UnbackedPolicy,
)
from tote.pools.combinations import canonical_selection, ticket_combination_count
from tote.pools.starters import default_min_starters, min_starters_problem, short_of_starters

MAX_TICKET_COMBINATIONS = 1_000_000
"""A box covering more combinations than this is refused (a runaway input, not a bet)."""

_CASE_FIELDS = frozenset(
    {
        "pool",
        "takeout_bp",
        "unit_cents",
        "breakage_step_cents",
        "min_dividend_cents",
        "split",
        "places",
        "field_size",
        "min_starters",
        "unbacked",
        "part_backed",
        "bets",
        "scratched",
        "result",
        "carry_in_cents",
        "carry_in_net_cents",
        "void",
    }
)
_BET_FIELDS = frozenset({"id", "selection", "box", "stake_cents"})

E = TypeVar("E", PoolType, SplitMethod, UnbackedPolicy, PartBackedRule)


def parse_case(obj: Mapping[str, Any], *, result_required: bool = True) -> PoolCase:
    """Validate a settlement input (the JSON of docs/pools.md) into a `PoolCase`.

    `result` may be missing from a void pool, or from any pool when `result_required` is
    False (approximates before the off)."""
    if not isinstance(obj, Mapping):
        raise PoolCaseError(f"a pool case must be a JSON object, not {_kind(obj)}")
    unknown = sorted(set(obj) - _CASE_FIELDS)
    if unknown:
        raise PoolCaseError(
            f"unknown field {unknown[0]!r} (known fields: {', '.join(sorted(_CASE_FIELDS))})"
        )
    pool = _enum(PoolType, _required(obj, "pool"), "pool")
    scratched = _runner_list(obj.get("scratched", []), "scratched")
    if len(set(scratched)) != len(scratched):
        raise PoolCaseError("scratched lists a runner twice")
    void = obj.get("void", False)
    if not isinstance(void, bool):
        raise PoolCaseError(f"void must be true or false, not {_kind(void)}")
    places = _places(obj, pool)
    field_size, min_starters = _field(obj, pool, places, len(scratched))
    short = short_of_starters(field_size, len(scratched), min_starters)
    result = _result(obj, void or short or not result_required, frozenset(scratched))
    return PoolCase(
        pool=pool,
        takeout_bp=_int(_required(obj, "takeout_bp"), "takeout_bp", low=0, high=10_000),
        unit_cents=_int(obj.get("unit_cents", 100), "unit_cents", low=1),
        breakage_step_cents=_int(obj.get("breakage_step_cents", 10), "breakage_step_cents", low=1),
        min_dividend_cents=_optional_int(obj.get("min_dividend_cents"), "min_dividend_cents"),
        split=_enum(SplitMethod, obj.get("split", "PROFIT"), "split"),
        places=places,
        unbacked=_unbacked(obj, pool),
        part_backed=_enum(PartBackedRule, obj.get("part_backed", "PAY_NET"), "part_backed"),
        tickets=_tickets(_required(obj, "bets"), pool),
        result=result,
        scratched=frozenset(scratched),
        carry_in_cents=_int(obj.get("carry_in_cents", 0), "carry_in_cents", low=0),
        carry_in_net_cents=_int(obj.get("carry_in_net_cents", 0), "carry_in_net_cents", low=0),
        void=void,
        field_size=field_size,
        min_starters=min_starters,
    )


def _required(obj: Mapping[str, Any], name: str) -> Any:
    if name not in obj:
        raise PoolCaseError(f"missing field {name!r}")
    return obj[name]


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return type(value).__name__


def _int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PoolCaseError(f"{name} must be a whole number, not {_kind(value)}")
    if low is not None and value < low:
        raise PoolCaseError(f"{name} must be at least {low}, not {value}")
    if high is not None and value > high:
        raise PoolCaseError(f"{name} must be at most {high}, not {value}")
    return value


def _optional_int(value: Any, name: str) -> int | None:
    return None if value is None else _int(value, name, low=0)


def _enum(kind: type[E], value: Any, name: str) -> E:
    choices = ", ".join(member.value for member in kind)
    if not isinstance(value, str):
        raise PoolCaseError(f"{name} must be one of {choices}, not {_kind(value)}")
    try:
        return kind(value.upper())
    except ValueError:
        raise PoolCaseError(f"unknown {name} {value!r} (one of {choices})") from None


def _places(obj: Mapping[str, Any], pool: PoolType) -> int:
    """Paying places: WIN 1; SHOW 3; PLACE as given, else from `field_size` by the AU TAB
    rule (8+ starters 3, 5-7 starters 2, fewer: no place pool), else 3."""
    if pool not in (PoolType.PLACE, PoolType.SHOW):
        if "places" in obj:
            raise PoolCaseError(f"places applies to PLACE and SHOW pools only, not {pool.value}")
        return 1 if pool is PoolType.WIN else pool.selection_size
    if "places" in obj:
        return _int(obj["places"], "places", low=1)
    if pool is PoolType.PLACE and obj.get("field_size") is not None:
        field_size = _int(obj["field_size"], "field_size", low=1)
        if field_size < 5:
            raise PoolCaseError(f"no place pool with {field_size} starters (5 or more needed)")
        return 3 if field_size >= 8 else 2
    return 3


def _field(
    obj: Mapping[str, Any], pool: PoolType, places: int, scratched: int
) -> tuple[int | None, int]:
    """The declared field and the pool's minimum starters (`tote.pools.starters`): without
    `field_size` no minimum applies, since the starters left are unknown."""
    if obj.get("field_size") is None:
        if obj.get("min_starters") is not None:
            raise PoolCaseError("min_starters needs field_size (the runners declared)")
        return None, 1
    field_size = _int(obj["field_size"], "field_size", low=1)
    if field_size < pool.selection_size:
        raise PoolCaseError(
            f"a {pool.value} pool needs a field_size of at least {pool.selection_size}, "
            f"not {field_size}"
        )
    if scratched > field_size:
        raise PoolCaseError(
            f"scratched lists {scratched} runners, more than the field_size of {field_size}"
        )
    if obj.get("min_starters") is None:
        return field_size, default_min_starters(pool, places, field_size)
    min_starters = _int(obj["min_starters"], "min_starters")
    problem = min_starters_problem(pool, min_starters, field_size)
    if problem is not None:
        raise PoolCaseError(problem)
    return field_size, min_starters


def _unbacked(obj: Mapping[str, Any], pool: PoolType) -> UnbackedPolicy:
    policy = _enum(UnbackedPolicy, obj.get("unbacked", "REFUND"), "unbacked")
    if policy is UnbackedPolicy.NEXT_FINISHER and not pool.single_runner:
        raise PoolCaseError(
            f"unbacked NEXT_FINISHER applies to WIN, PLACE and SHOW; use "
            f"CARRY_GROSS, CARRY_NET or REFUND for {pool.value}"
        )
    return policy


def _runner(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PoolCaseError(f"{name}: a runner is a positive whole number, not {_kind(value)}")
    if value < 1:
        raise PoolCaseError(f"{name}: a runner is a positive whole number, not {value}")
    return value


def _runner_list(value: Any, name: str) -> list[int]:
    if not isinstance(value, list):
        raise PoolCaseError(f"{name} must be a list of runners, not {_kind(value)}")
    return [_runner(item, name) for item in value]


def _result(obj: Mapping[str, Any], optional: bool, scratched: frozenset[int]) -> Result:
    if "result" not in obj:
        if optional:
            return ()
        raise PoolCaseError("missing field 'result' (only a void pool may omit it)")
    raw = obj["result"]
    if not isinstance(raw, list):
        raise PoolCaseError(f"result must be a list of finishing positions, not {_kind(raw)}")
    groups: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for number, group in enumerate(raw, start=1):
        runners = _runner_list(group, f"result position {number}")
        if not runners:
            raise PoolCaseError(f"result position {number} has no runner")
        for runner in runners:
            if runner in seen:
                raise PoolCaseError(f"runner {runner} appears twice in the result")
            if runner in scratched:
                raise PoolCaseError(f"runner {runner} is in the result but was scratched")
            seen.add(runner)
        groups.append(tuple(sorted(runners)))
    return tuple(groups)


def _tickets(raw: Any, pool: PoolType) -> tuple[Ticket, ...]:
    if not isinstance(raw, list):
        raise PoolCaseError(f"bets must be a list, not {_kind(raw)}")
    tickets: list[Ticket] = []
    ids: set[str] = set()
    for index, bet in enumerate(raw):
        ticket = _ticket(bet, index, pool)
        if ticket.id in ids:
            raise PoolCaseError(f"bet id {ticket.id!r} is used twice")
        ids.add(ticket.id)
        tickets.append(ticket)
    return tuple(tickets)


def _ticket(bet: Any, index: int, pool: PoolType) -> Ticket:
    where = f"bets[{index}]"
    if not isinstance(bet, Mapping):
        raise PoolCaseError(f"{where} must be an object, not {_kind(bet)}")
    unknown = sorted(set(bet) - _BET_FIELDS)
    if unknown:
        raise PoolCaseError(
            f"{where}: unknown field {unknown[0]!r} (known fields: id, selection, box, stake_cents)"
        )
    bet_id = bet.get("id")
    if not isinstance(bet_id, str) or not bet_id:
        raise PoolCaseError(f"{where}: id must be a non-empty string, not {_kind(bet_id)}")
    where = f"bet {bet_id!r}"
    if ("selection" in bet) == ("box" in bet):
        raise PoolCaseError(f"{where} needs exactly one of 'selection' and 'box'")
    stake = _int(_required_bet(bet, "stake_cents", where), f"{where}: stake_cents", low=1)
    is_box = "box" in bet
    runners = _runner_list(bet["box"] if is_box else bet["selection"], where)
    if len(set(runners)) != len(runners):
        raise PoolCaseError(f"{where} names a runner twice: {runners}")
    size = pool.selection_size
    if is_box:
        if len(runners) < size:
            raise PoolCaseError(
                f"{where}: a {pool.value} box needs at least {size} runners, not {len(runners)}"
            )
        if ticket_combination_count(pool, len(runners)) > MAX_TICKET_COMBINATIONS:
            raise PoolCaseError(
                f"{where}: a box of {len(runners)} covers more than "
                f"{MAX_TICKET_COMBINATIONS:,} {pool.value} combinations"
            )
        return Ticket(bet_id, tuple(sorted(runners)), stake, box=True)
    if len(runners) != size:
        raise PoolCaseError(
            f"{where}: a {pool.value} selection has {size} "
            f"runner{'s' if size > 1 else ''}, not {len(runners)}"
        )
    selection: Selection = canonical_selection(pool, runners)
    return Ticket(bet_id, selection, stake)


def _required_bet(bet: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in bet:
        raise PoolCaseError(f"{where}: missing field {name!r}")
    return bet[name]

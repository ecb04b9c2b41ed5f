"""CREATE OR REPLACE of a running query: may the new plan take over the old one's state?

After the new sink passed the data-source check (`analyzer.upgrade`), ksqlDB compares the
old query's execution steps with the new ones (QueryRegistryImpl.registerPersistentQuery
→ ExecutionStep.validateUpgrade) and refuses, leaving the old query running, a plan it
cannot swap in place. The walk starts at both sinks:

- an enforcing step (sink, PARTITION BY, grouping, aggregation) must meet a step of its
  class whose listed properties are equal, then the walk goes on with both inputs;
- a passive step (filter, projection) hands the comparison to the other tree's step,
  with its own input: the two trees take turns skipping passive steps, so filters and
  projections may come and go, and which tree is named first in a message alternates;
- a source skips the other tree's passive steps down to its counterpart, refusing a join
  or a step it does not know on the way;
- any other step (joins, windowed aggregation, table aggregation, table functions,
  windowed sources) has no upgrade rule: "Upgrades not yet supported for ...".

Where a source meets passive steps two deep, ksqlDB's loop re-reads the first one
forever; this walk goes on down instead.
"""

from __future__ import annotations

from tote.sql.analyzer.plan_steps import Role, Step
from tote.sql.errors import StatementError

_PLAN_PACKAGE = "io.confluent.ksql.execution.plan."
# The steps whose type ksqlDB declares ENFORCING; asking any other non-passive step
# its type is what fails with "Upgrades not yet supported".
_ENFORCING = frozenset({"StreamSink", "StreamSource"})
_NOT_UPGRADEABLE = "Query is not upgradeable. "


def check_plan_upgrade(old: Step, new: Step) -> None:
    """Raise ksqlDB's error if the query planned as `new` may not replace `old`."""
    _validate(old, new)


def _validate(this: Step, to: Step) -> None:
    if this.role is Role.MATCH:
        _must_match(this, to)
        _validate(this.sources[0], to.sources[0])
    elif this.role is Role.SOURCE:
        _must_match(this, _counterpart(this, to))
    elif this.role is Role.PASSIVE:
        _validate(to, this.sources[0])
    else:
        raise _unsupported(this)


def _counterpart(source: Step, to: Step) -> Step:
    found = to
    while found.name != source.name:
        if not found.sources:
            raise StatementError(
                f"{_NOT_UPGRADEABLE}The root source node of the upgrade tree must be "
                f"{source.name}, but was {_class(found)}")
        if len(found.sources) > 1:
            raise StatementError(
                f"{_NOT_UPGRADEABLE}Cannot change a non-join source into a join source.")
        if not _is_passive(found):
            raise StatementError(f"{_NOT_UPGRADEABLE}Cannot add a {_class(found)} step that "
                                 "is not in the original query plan.")
        found = found.sources[0]
    return found


def _is_passive(step: Step) -> bool:
    """ksqlDB's `type() == PASSIVE`, raising where the step declares no type."""
    if step.role is Role.PASSIVE:
        return True
    if step.name in _ENFORCING:
        return False
    raise _unsupported(step)


def _must_match(this: Step, that: Step) -> None:
    if this.name != that.name:
        raise _differ(this, "class", _class(this), _class(that))
    for (what, mine), (_, theirs) in zip(this.matched, that.matched, strict=True):
        if mine != theirs:
            raise _differ(this, what, mine, theirs)


def _differ(step: Step, what: str, mine: str, theirs: str) -> StatementError:
    return StatementError(f"{_NOT_UPGRADEABLE}Plan step of type {step.name} must have "
                          f"matching {what}. Values differ: {mine} vs. {theirs}")


def _unsupported(step: Step) -> StatementError:
    return StatementError(f"Upgrades not yet supported for {step.name}")


def _class(step: Step) -> str:
    return f"class {_PLAN_PACKAGE}{step.name}"

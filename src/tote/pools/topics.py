"""The tote domain's topics (the issue #10 event contract) and how they are created.

Every topic is keyed by the race id (KAFKA-format STRING key), so every event of a race
lands in one partition and the close of betting is ordered with every bet it fences
(spec §9.2). All have the same number of partitions (4 unless told otherwise), so a
race's commands, events and outcomes share a partition number.
"""

from __future__ import annotations

from tote.log.base import Log

COMMANDS = "tote_commands"
OUTCOMES = "tote_command_outcomes"
RACE_EVENTS = "tote_race_events"
POOLS_DEFINED = "tote_pools_defined"
BETS = "tote_bets"
BETS_REJECTED = "tote_bets_rejected"
BETS_CANCELLED = "tote_bets_cancelled"
BETS_REFUNDED = "tote_bets_refunded"
BETS_PAID = "tote_bets_paid"
# Commands the sequencer could not decide (and records that are not commands), as they were.
DEAD_LETTERS = "tote_commands_dlq"

EVENT_TOPICS = (RACE_EVENTS, POOLS_DEFINED, BETS, BETS_REJECTED, BETS_CANCELLED, BETS_REFUNDED,
                BETS_PAID)
DEFAULT_PARTITIONS = 4
# Outcomes only carry replies to clients that are waiting now: an hour is plenty.
OUTCOME_CONFIGS = {"retention.ms": str(3_600_000), "retention.bytes": "-1"}
# Kafka-protocol brokers such as Tansu report no default retention: say it outright.
DOMAIN_CONFIGS = {"retention.ms": "-1", "retention.bytes": "-1"}


def ensure_topics(log: Log, partitions: int = DEFAULT_PARTITIONS) -> None:
    """Create whichever of the domain's topics is missing (existing ones stay as they are)."""
    for topic in (COMMANDS, *EVENT_TOPICS, DEAD_LETTERS):
        log.ensure_topic(topic, partitions, configs=DOMAIN_CONFIGS)
    log.ensure_topic(OUTCOMES, partitions, configs=OUTCOME_CONFIGS)


def race_key(race_id: str) -> bytes:
    """The KAFKA STRING key of every record of a race."""
    return race_id.encode("utf-8")

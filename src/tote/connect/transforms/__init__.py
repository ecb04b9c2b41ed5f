"""Kafka Connect's single message transforms (SMTs) and predicates, for sink records."""

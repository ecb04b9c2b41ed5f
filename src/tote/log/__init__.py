"""The event log: one interface (`Log`), three backends (memory, sqlite, kafka)."""

from tote.log.base import GroupConsumer, Log, StateStore, Transaction, TransactionalProducer

__all__ = ["GroupConsumer", "Log", "StateStore", "Transaction", "TransactionalProducer"]

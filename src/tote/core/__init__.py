"""Core types every layer shares: records, errors with Confluent codes, configuration, clock."""

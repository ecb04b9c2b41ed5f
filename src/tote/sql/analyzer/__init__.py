"""Semantic analysis of statements: ksqlDB's rules and error messages, no side effects."""

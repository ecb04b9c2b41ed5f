"""Kafka Connect, in Python: a worker that runs sink connectors over tote's log.

`Worker(log, settings)` keeps connector configs and statuses in the `connect-configs` /
`connect-status` topics, shares tasks with the other workers on the same log, and runs
each task as a member of the consumer group `connect-<name>`. `Herder` is what the REST
API calls. The JDBC sink (`tote.connect.jdbc`) is the one connector shipped; it writes
rows and consumed offsets in one database transaction (exactly once).
"""

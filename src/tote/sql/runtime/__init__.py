"""Running persistent queries: tasks, state stores, one log transaction per step.

Structure: a query's physical plan (`planner.physical`) is cut into sub-topologies at its
repartition topics; `tasks.TaskFactory` builds one `Task` per sub-topology and input
partition, wiring one processor per logical node (`topology.py`, `operators/`). The
`Runtime` owns every running query's tasks and their exactly-once commit
(`runtime.Runtime._commit`: outputs, consumer offsets and state changes in ONE log
transaction; in-memory state caches adopt the changes only after it committed, and roll
back with the read positions when it did not).

Semantics, and where they differ from ksqlDB:

* Live mode (`Runtime.step`): a record read from the log is processed to quiescence
  through every dependent query, in dependency order, before the next record. Outputs
  of one query reach the next in memory in the same transaction (their consumed offsets
  are the positions the log promised for those outputs), and at equal depth table
  updates are applied before stream records, so a stream-table join sees the table
  changes caused by the same record. For the seed this gives "odds including this bet".
  ksqlDB runs each query as an independent Kafka Streams application: which table
  version a stream record meets depends on thread timing and commit intervals, so its
  output for the same input varies between runs; tote's is deterministic.
* Records appended to an intermediate topic by someone else (INSERT VALUES into a query's
  sink, a producer) are read from the log like any input, after the records the reader
  already had; they are not interleaved with in-memory deliveries.
* Harness mode (`harness.drive`, used by the QTT runner) reproduces ksqlDB's test
  driver instead: queries run one after another in creation order, each over its whole
  input, everything on partition 0.
* Record caches are off, as in ksqlDB's test harness: every aggregate update is emitted.
* Windowed operators (`operators/windowed.py`, `stream_join.py`) follow Kafka Streams:
  each keeps its task's stream time (the largest timestamp it has seen) in its state, so
  windows close, late records are dropped and old state expires by event time only,
  identically after a restart (Kafka Streams forgets some of these times on restart).
  Their timestamped entries live in `windowstate.IndexedState` stores, committed like
  every other state change. Other differences: expiry is exact rather than per store
  segment, and EMIT FINAL and held outer-join records are checked on every record (Kafka
  Streams throttles both checks by wall-clock time, which QTT sets to 0).
"""

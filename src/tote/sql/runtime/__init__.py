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

Extension points for the operators still to come: windowed aggregation keys the
aggregate state by (key, window) and fills `Rec.window` (`operators/aggregate.py`,
`AggregateNode.window`; windowed key serialisation already exists in
`codecs.windowed`); stream-stream joins are a `JoinNode(kind="stream-stream")` with
`within` set, needing a windowed join store per side (`operators/join.py`).
"""

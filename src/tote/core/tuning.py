"""Process tuning for a service that streams records: fewer, cheaper garbage collections.

A sink task (a persistent query too) allocates several small containers per record (the
decoded dict, the record tuples) that all die within one poll. With CPython's default
first-generation threshold (700 allocations) the collector runs every few hundred
records, and a batch still in flight (the pipelined put holds one) gets promoted into
older generations whose collections walk the whole heap: measured here, that halves the
sink's throughput. A larger first threshold lets short-lived garbage die young, and
freezing moves the heap built at start (modules, drivers, SQLAlchemy) out of every later
collection.

It changes process-wide state, so only process entry points call it (`tote serve
connect`, `tote serve ksqldb`, the benches that measure them), never the library.
"""

from __future__ import annotations

import gc

FIRST_GENERATION_THRESHOLD = 100_000


def tune_gc_for_streaming() -> None:
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, max(second, 50), max(third, 100))

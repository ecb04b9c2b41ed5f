"""Tote pools as streaming SQL: the shipped statements, their sink connector, and the
TOTE_ functions they call (docs/pools-sql.md).

    engine = Engine(log, registry, functions=with_tote_functions())
    engine.execute(statements())        # after the sequencer registered the topics' schemas

`pools.sql` turns the sequencer's events (`tote_bets`, `tote_bets_cancelled`,
`tote_bets_refunded`, `tote_pools_defined`, `tote_race_events`) into pool totals, live
approximates and final dividends (`tote_dividends`); `connect-jdbc-sink.json` sinks them
into PostgreSQL. The functions wrap `tote.pools` (the calculator) for SQL: this package
sits above both `tote.sql` and `tote.pools`, which know nothing of each other.
"""

from tote.poolsql.files import SINK_CONFIG_FILE, STATEMENTS_FILE, sink_config, statements
from tote.poolsql.functions import tote_functions, with_tote_functions

__all__ = [
    "SINK_CONFIG_FILE",
    "STATEMENTS_FILE",
    "sink_config",
    "statements",
    "tote_functions",
    "with_tote_functions",
]

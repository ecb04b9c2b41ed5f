"""Reading the seed's odds from the sink database, for `tote demo`.

Only `tote.connect.jdbc` talks to sink databases (DESIGN §3), so this goes through its
read-only `DatabaseBrowser`. Rows come back in insertion order (`ctid`: the JDBC sink
only inserts into this table, in offset order), which is the odds stream's order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from tote.core.errors import BadRequest, Timeout, ToteError
from tote.seed.files import ODDS_COLUMNS, ODDS_TABLE

POLL_S = 0.2
MAX_ROWS = 500


class OddsReader:
    """The odds table of one database (PostgreSQL: ordering relies on `ctid`)."""

    def __init__(self, database_url: str, aliases: Mapping[str, str] | None = None,
                 table: str = ODDS_TABLE) -> None:
        from tote.connect.jdbc.browse import DatabaseBrowser  # here: SQLAlchemy loads slowly

        self._browser = DatabaseBrowser(database_url, aliases=aliases)
        self.table = table

    def close(self) -> None:
        self._browser.close()

    def __enter__(self) -> OddsReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self) -> int:
        """Rows in the table; 0 while the sink has not created it yet."""
        try:
            page = self._browser.query(f'SELECT count(*) FROM "{self.table}"')
        except BadRequest:  # no such table (yet)
            return 0
        return int(page.rows[0][0])

    def last(self, n: int) -> list[tuple[Any, ...]]:
        """The last `n` rows (at most MAX_ROWS) in insertion order, seed columns only."""
        columns = ", ".join(f'"{c}"' for c in ODDS_COLUMNS)
        page = self._browser.query(
            f'SELECT {columns} FROM (SELECT {columns}, ctid FROM "{self.table}" '
            f'ORDER BY ctid DESC LIMIT {min(n, MAX_ROWS)}) AS last_rows ORDER BY ctid',
            page_size=MAX_ROWS)
        return list(page.rows)

    def wait_for(self, count: int, timeout_s: float,
                 progress: Callable[[int], None] | None = None) -> int:
        """Poll until the table holds `count` rows; Timeout with how many came if not."""
        deadline = time.monotonic() + timeout_s
        seen = -1
        while True:
            try:
                now = self.count()
            except ToteError:  # the database is restarting: keep waiting
                now = max(seen, 0)
            if now != seen and progress is not None:
                progress(now)
            seen = now
            if now >= count:
                return now
            if time.monotonic() >= deadline:
                raise Timeout(f"Only {now} of {count} rows reached {self.table} within "
                              f"{timeout_s:g} s; see `tote logs connect` and `tote status`.")
            time.sleep(POLL_S)

"""`python -m tote.poolsql`: where the shipped statements and connector live, to pass them
to `tote build --statements ... --connector ...` or to copy and change them."""

from __future__ import annotations

from pathlib import Path

from tote.poolsql.files import SINK_CONFIG_FILE, STATEMENTS_FILE

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(here / STATEMENTS_FILE)
    print(here / SINK_CONFIG_FILE)

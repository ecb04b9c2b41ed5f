"""Infrastructure tote runs itself: the embedded PostgreSQL server.

A leaf package: it imports nothing from tote but `core`, so the stack, the Connect tests
and the benches can all use it without breaking the layer rules.
"""

from tote.embedded.postgres import EmbeddedPostgres, EmbeddedPostgresError

__all__ = ["EmbeddedPostgres", "EmbeddedPostgresError"]

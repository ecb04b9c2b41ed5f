"""Where a running stack's services answer, for commands that talk to them (build, play, demo).

The supervisor writes every URL into the state file; a command run from any shell reads
them from there, so it follows `--home` and whatever ports `tote up` was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tote.stack.control import supervisor_alive
from tote.stack.errors import StackNotRunning
from tote.stack.paths import StackPaths
from tote.stack.state import PHASE_RUNNING, load_state


@dataclass(frozen=True)
class Endpoints:
    """A running stack: each service's base URL, its database and its host alias table."""

    home: Path
    urls: dict[str, str]
    database_url: str
    aliases: dict[str, str]

    def url(self, service: str) -> str:
        return self.urls[service]


def running_endpoints(home: Path) -> Endpoints:
    """The endpoints of the stack running on `home`; StackNotRunning if there is none."""
    paths = StackPaths.of(home)
    state = load_state(paths.state_file)
    if state is None or not supervisor_alive(state, paths) or state.phase != PHASE_RUNNING:
        raise StackNotRunning(f"No stack is running on {paths.home}; start it with "
                              f"`tote up` (or `tote demo`).")
    urls = {row.name: row.url for row in state.services if row.available}
    return Endpoints(paths.home, urls, state.database_url, dict(state.aliases))

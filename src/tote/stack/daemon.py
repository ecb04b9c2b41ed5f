"""`tote up --detach`: the supervisor as a background process, and how the caller waits for it.

The caller resolves and checks the plan, saves it to `stack/plan.json` and starts
`python -m tote.stack.daemon <plan.json>` in its own session (so closing the terminal
does not stop it), with output appended to `logs/supervisor.log`. It then watches the
state file until this supervisor reports `running` or `failed`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tote.core.errors import ToteError
from tote.stack.errors import StackError
from tote.stack.plan import StackPlan
from tote.stack.state import PHASE_FAILED, PHASE_RUNNING, PHASE_STOPPED, StackState, load_state
from tote.stack.supervisor import Supervisor

POLL_S = 0.2
# Time for the daemon itself to start, on top of the plan's startup timeout.
SPAWN_GRACE_S = 60.0


def spawn_daemon(plan: StackPlan) -> subprocess.Popen[bytes]:
    """Start the background supervisor for `plan`; returns at once."""
    plan.save()
    with plan.paths.log_file("supervisor").open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tote.stack.daemon", str(plan.paths.plan_file)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def wait_for_daemon(daemon: subprocess.Popen[bytes], plan: StackPlan) -> StackState:
    """Block until the daemon's stack is up; raise StackError with its reason if it is not."""
    deadline = time.monotonic() + plan.startup_timeout_s + SPAWN_GRACE_S
    paths = plan.paths
    while True:
        code = daemon.poll()
        state = load_state(paths.state_file)
        if state is not None and state.supervisor.pid == daemon.pid:
            if state.phase == PHASE_RUNNING:
                return state
            # A failed start is reported once the daemon has stopped what it had started.
            if state.phase in (PHASE_FAILED, PHASE_STOPPED) and code is not None:
                raise StackError(state.error or "The stack was stopped while it was starting.")
        if code is not None:
            detail = _last_line(paths.log_file("supervisor")) or f"exit code {code}"
            raise StackError(f"The stack supervisor exited while starting: {detail}")
        if time.monotonic() >= deadline:
            raise StackError(f"The stack did not start in time; see {paths.logs_dir}.")
        time.sleep(POLL_S)


def main(argv: list[str]) -> int:
    """Entry point of the detached supervisor."""
    if len(argv) != 2:
        print("usage: python -m tote.stack.daemon PLAN_JSON", file=sys.stderr)
        return 2
    try:
        supervisor = Supervisor(StackPlan.load(Path(argv[1])), detached=True)
        return supervisor.run()
    except ToteError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

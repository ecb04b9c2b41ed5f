"""The Connect worker: follows the internal topics and runs its share of the work.

    with Worker(log, WorkerSettings(worker_id="127.0.0.1:8083")) as worker:
        Herder(worker).create("jdbc-sink", {...})

One background thread replays `connect-configs` / `connect-status` (the worker is
`ready` once it has caught up with their ends as of start), heartbeats, computes the
assignment (`cluster.py`) and reconciles: starts the tasks it was dealt, stops those it
lost, pauses and resumes them with the connector's target state, restarts on request,
and reports connector states. Tasks run on their own threads (`runtime.py`); stopping
one never blocks the loop, so heartbeats keep flowing while a task drains.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Self

from tote.connect.cluster import Unit, assign, units
from tote.connect.config_state import PAUSED, STOPPED, RestartRequest
from tote.connect.converters import AVRO, STRING, ConverterContext
from tote.connect.errors import ConnectException
from tote.connect.plugins import find_connector
from tote.connect.registries import Registries
from tote.connect.runtime import TaskRunner, WorkerContext
from tote.connect.status_state import FAILED, RESTARTING, RUNNING, Status
from tote.connect.status_state import PAUSED as PAUSED_STATE
from tote.connect.status_state import STOPPED as STOPPED_STATE
from tote.connect.store import ConnectStore, InternalTopics
from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import ToteError
from tote.log.base import Log

_logger = logging.getLogger(__name__)
LOOP_WAIT_S = 0.2

DEFAULT_WORKER_PROPS: Mapping[str, str] = MappingProxyType({
    "key.converter": STRING,
    "value.converter": AVRO,
    "value.converter.schema.registry.url": "http://schema-registry:8081",
})


@dataclass(frozen=True)
class WorkerSettings:
    """A worker's identity and defaults (Connect's worker properties, the ones that matter)."""

    worker_id: str = "127.0.0.1:8083"
    url: str = "http://127.0.0.1:8083"
    topics: InternalTopics = field(default_factory=InternalTopics)
    props: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_WORKER_PROPS))
    host_aliases: Mapping[str, str] = field(default_factory=dict)
    session_timeout_ms: int = 10_000
    heartbeat_ms: int = 3_000
    consumer_session_timeout_ms: int = 30_000
    topic_refresh_s: float = 2.0


class Worker:
    """Runs connectors and tasks over one log, alongside any other workers on it."""

    def __init__(self, log: Log, settings: WorkerSettings | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.log = log
        self.settings = settings or WorkerSettings()
        self.clock = clock
        self.id = self.settings.worker_id
        self.store = ConnectStore(log, self.settings.topics, self.id)
        self.registries = Registries(log, self.settings.host_aliases)
        self.context = WorkerContext(
            log=log, worker_id=self.id, worker_props=self.settings.props,
            converters=ConverterContext(self.registries.for_url),
            host_aliases=self.settings.host_aliases, report_status=self.report_status,
            report_topic=self.report_topic, log_clock=clock,
            consumer_session_timeout_ms=self.settings.consumer_session_timeout_ms,
            topic_refresh_s=self.settings.topic_refresh_s)
        self._runners: dict[Unit, TaskRunner] = {}
        self._retiring: list[TaskRunner] = []
        self._connector_states: dict[str, tuple[str, int]] = {}
        self._paused: dict[Unit, int] = {}
        self._restart_seen = -1
        self._last_heartbeat_ms: int | None = None
        self._seen_version = -1
        self._closing = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"connect-worker-{self.id}",
                                        daemon=True)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        """Create the internal topics, replay them, heartbeat, then follow in the background."""
        self.store.ensure_topics()
        self.store.sync()
        self._restart_seen = self.store.config.offset
        self._heartbeat()
        self.store.catch_up()
        self._ready.set()
        self._thread.start()
        return self

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def close(self) -> None:
        """Stop every task, say goodbye (others take over at once), release clients."""
        self._closing.set()
        if self._thread.is_alive():
            self._thread.join(60)
        runners = [*self._runners.values(), *self._retiring]
        for runner in runners:
            runner.stop(timeout=0)
        for runner in runners:
            runner.stop()
        self._runners.clear()
        self._retiring.clear()
        if self.ready:
            try:
                self.store.write_status(f"worker-{self.id}", None)
            except ToteError as exc:
                _logger.warning("Could not announce that worker %s left: %s", self.id, exc)
        self.registries.close()
        self.store.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- status ---------------------------------------------------------------------------

    def report_status(self, key: str, status: Status | None) -> None:
        try:
            self.store.write_status(key, None if status is None else status.body())
        except ToteError as exc:
            _logger.warning("Could not write status %s: %s", key, exc)

    def report_topic(self, connector: str, topic: str, body: Any) -> None:
        key = f"status-topic-{topic}:connector-{connector}"
        with self.store.lock:
            known = topic in self.store.status.topics.get(connector, set())
        if not known:
            try:
                self.store.write_status(key, body)
            except ToteError as exc:
                _logger.warning("Could not write status %s: %s", key, exc)

    def _heartbeat(self) -> None:
        now = self.clock.now_ms()
        self.store.write_status(f"worker-{self.id}",
                                {"worker_id": self.id, "url": self.settings.url})
        self._last_heartbeat_ms = now

    # -- the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._closing.is_set():
            try:
                self._tick()
            except ToteError as exc:
                _logger.warning("Worker %s: %s", self.id, exc)
                self._closing.wait(1.0)
            self.store.wait_for_records(LOOP_WAIT_S)

    def _tick(self) -> None:
        self.store.catch_up()
        now = self.clock.now_ms()
        last = self._last_heartbeat_ms
        if last is None or now - last >= self.settings.heartbeat_ms:
            self._heartbeat()
        self._reconcile(now)

    def _reconcile(self, now_ms: int) -> None:
        store = self.store
        with store.lock:
            config, status = store.config, store.status
            live = set(status.live_workers(now_ms, self.settings.session_timeout_ms))
            live.add(self.id)
            mine = {u for u, w in assign(units(config), sorted(live)).items() if w == self.id}
            targets = {name: config.target_state(name) for name in config.connectors}
            classes = {name: props.get("connector.class", "")
                       for name, props in config.connectors.items()}
            tasks = {name: list(configs) for name, configs in config.tasks.items()}
            generations = dict(config.generations)
            restarts = [r for r in config.restarts if r.offset > self._restart_seen]
            statuses = dict(status.connectors)
        self._retiring = [r for r in self._retiring if r.alive]
        for unit in sorted(mine):
            generation = generations.get(unit.connector, 0)
            if unit.connector not in targets:
                continue
            if unit.is_connector:
                self._run_connector(unit.connector, targets[unit.connector],
                                    classes[unit.connector], generation,
                                    statuses.get(unit.connector))
            else:
                configs = tasks.get(unit.connector, [])
                if unit.task < len(configs):
                    self._run_task(unit, targets[unit.connector], configs[unit.task],
                                   generation)
        for unit in [u for u in self._runners if u not in mine]:
            self._retire(unit)
        for unit in [u for u in self._paused if u not in mine]:
            del self._paused[unit]
        for name in [n for n in self._connector_states if Unit(n) not in mine]:
            del self._connector_states[name]
        for request in restarts:
            self._restart(request, mine, generations.get(request.connector, 0))
            self._restart_seen = request.offset

    def _run_connector(self, name: str, target: str, class_name: str, generation: int,
                       current: Status | None) -> None:
        state, trace = RUNNING, None
        if target == PAUSED:
            state = PAUSED_STATE
        elif target == STOPPED:
            state = STOPPED_STATE
        elif find_connector(class_name) is None:
            state, trace = FAILED, f"Unknown connector class {class_name}"
        reported = current is not None and current.worker_id == self.id \
            and current.state == state
        if self._connector_states.get(name) == (state, generation) and reported:
            return
        self._connector_states[name] = (state, generation)
        self.report_status(f"status-connector-{name}", Status(state, self.id, trace, generation))

    def _run_task(self, unit: Unit, target: str, props: Mapping[str, str],
                  generation: int) -> None:
        key = f"status-task-{unit.connector}-{unit.task}"
        if target == PAUSED:
            if unit in self._runners:
                self._retire(unit)
            if self._paused.get(unit) != generation:
                self._paused[unit] = generation
                self.report_status(key, Status(PAUSED_STATE, self.id, None, generation))
            return
        self._paused.pop(unit, None)
        runner = self._runners.get(unit)
        if runner is not None and runner.fenced and not runner.alive:
            del self._runners[unit]  # handed over, yet dealt to us again: take it back
            runner = None
        if runner is not None and runner.generation == generation:
            return  # running, or FAILED until someone restarts it
        if any(r.key == key for r in self._retiring):
            return  # the previous runner is still draining
        if runner is not None:
            self._retire(unit)
        self._start(unit, props, generation)

    def _new_runner(self, unit: Unit, props: Mapping[str, str], generation: int) -> TaskRunner:
        plugin = find_connector(props.get("connector.class", ""))
        if plugin is None:
            raise ConnectException(f"Unknown connector class {props.get('connector.class')}")
        return TaskRunner(self.context, unit.connector, unit.task, props=props, plugin=plugin,
                          generation=generation)

    def _start(self, unit: Unit, props: Mapping[str, str], generation: int) -> None:
        try:
            runner = self._new_runner(unit, props, generation)
        except ConnectException as exc:
            self.report_status(f"status-task-{unit.connector}-{unit.task}",
                               Status(FAILED, self.id, exc.message, generation))
            return
        self._runners[unit] = runner
        runner.start()

    def _retire(self, unit: Unit) -> None:
        runner = self._runners.pop(unit, None)
        if runner is None:
            return
        runner.stop(timeout=0)
        if runner.alive:
            self._retiring.append(runner)

    def _restart(self, request: RestartRequest, mine: set[Unit], generation: int) -> None:
        connector, task = request.connector, request.task
        include_tasks, only_failed = request.include_tasks, request.only_failed
        if task is not None:
            chosen = [Unit(connector, task)]
        elif include_tasks:
            chosen = [u for u in mine if u.connector == connector and not u.is_connector]
        else:
            chosen = []
        if task is None and Unit(connector) in mine:
            self._connector_states.pop(connector, None)
        for unit in chosen:
            runner = self._runners.get(unit)
            if unit not in mine or (only_failed and (runner is None or runner.state != FAILED)):
                continue
            self.report_status(f"status-task-{unit.connector}-{unit.task}",
                               Status(RESTARTING, self.id, None, generation))
            self._retire(unit)

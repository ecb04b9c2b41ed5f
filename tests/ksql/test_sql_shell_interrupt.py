"""Ctrl-C while `tote sql` streams a push query or PRINT, pressed at varied moments and
several times in a row: each press ends the stream, never the shell."""

from __future__ import annotations

import random
import termios
import time
from pathlib import Path

import pexpect
import pytest
from tests.ksql.shell import TIMEOUT, spawn_shell

from tote.core.records import Record

ROUNDS = 25


def _keep_output_on_interrupt(child: pexpect.spawn) -> None:
    """NOFLSH: the terminal would otherwise throw away what the shell printed before a
    later Ctrl-C reached it (set while no prompt has the terminal in raw mode, so the
    prompt's saved settings carry it on)."""
    attributes = termios.tcgetattr(child.child_fd)
    attributes[3] |= termios.NOFLSH
    termios.tcsetattr(child.child_fd, termios.TCSANOW, attributes)


def _interrupt_burst(child: pexpect.spawn, chooser: random.Random) -> None:
    """Ctrl-C three times, a few milliseconds apart: the later presses land wherever the
    shell is by then (reading, printing, closing the stream, back at the prompt)."""
    for _ in range(3):
        child.sendintr()
        time.sleep(chooser.choice([0.0, 0.001, 0.003, 0.01]))


@pytest.mark.slow
def test_repeated_interrupts_end_streams_not_the_shell(ksql, tmp_path: Path) -> None:
    assert ksql.post("CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', "
                     "value_format='JSON', partitions=1);").status_code == 200
    ksql.log.append("s", [Record(f'{{"V": {i}}}'.encode(), f"k{i}".encode())
                          for i in range(2000)])
    chooser = random.Random(7)
    child = spawn_shell(ksql.url, tmp_path / "history")
    try:
        child.send("SET 'auto.offset.reset'='earliest';\r")
        child.expect_exact("Successfully changed local property")
        child.expect_exact("ksql>")
        for round_number in range(ROUNDS):
            child.send("SELECT k, v FROM s EMIT CHANGES;\r")
            child.expect(r"\|k\d+\s+\|\d+\s+\|")
            if round_number == 0:
                _keep_output_on_interrupt(child)
            _interrupt_burst(child, chooser)
            child.expect_exact("Query terminated")
            child.expect_exact("ksql>")
            child.send("PRINT 's' FROM BEGINNING;\r")
            child.expect_exact("key: k")
            _interrupt_burst(child, chooser)
            child.expect_exact("Topic printing ceased")
            child.expect_exact("ksql>")
        # The shell still answers, and no query was left running on the server.
        child.send("SHOW STREAMS;\r")
        child.expect(r"S\s+.*s\s+.*KAFKA\s+.*JSON")
        child.expect_exact("ksql>")
        deadline = time.monotonic() + TIMEOUT
        while ksql.server.queries.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ksql.server.queries.running() == []
        child.send("exit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)

"""The command line as a shell user meets it: ``--version``, typer's shell completion, the store
from ``EXECUTION_CORE_STORE``, progress drawn only on a terminal, a reader that stops reading
(``| head``), and the worker's lines through stdlib logging."""

from __future__ import annotations

import importlib.metadata
import os
import pty
import re
import select
import signal
import subprocess
import sys
import threading
import time
import typing
from pathlib import Path

import pytest
from typer.models import OptionInfo

import execution_core
from execution_core import STORE_VARIABLE
from execution_core_adapters.cli.main import app
from execution_core_adapters.cli.views import SignalledStop, stopping_on_signals
from tests.cli.conftest import commands, run
from tests.scaleout.test_worker_faults import WorkerProcess

SCRIPT = Path(sys.executable).with_name("execution-core")


def test_version_is_the_packages_one() -> None:
    """Given `--version`, then it prints the version the package and its metadata carry."""
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"execution-core {execution_core.__version__}\n"
    assert execution_core.__version__ == importlib.metadata.version("execution-core")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_come_from_typer(shell: str) -> None:
    """Given the installed script in a real process, when it is asked for its completion
    script for a named shell (typer's variable set to ``source_<shell>``), then it prints one
    that calls it back with that variable, whatever shell (if any) started the process."""
    env = {**os.environ, "_EXECUTION_CORE_COMPLETE": f"source_{shell}"}
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "_EXECUTION_CORE_COMPLETE" in done.stdout


def test_completion_completes_a_command_name() -> None:
    """Given bash's completion protocol, when `execution-core au` is completed, then `audit`
    is offered."""
    env = {
        **os.environ,
        "_EXECUTION_CORE_COMPLETE": "complete_bash",
        "COMP_WORDS": "execution-core au",
        "COMP_CWORD": "1",
    }
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, check=False)
    assert "audit" in done.stdout.split()


def test_the_store_comes_from_the_environment(demo_store: Path, tmp_path: Path) -> None:
    """Given EXECUTION_CORE_STORE naming the demo store, when the board and the audit run with
    no --db, then they read it; a --db given wins over the variable."""
    env = {STORE_VARIABLE: f"sqlite:///{demo_store}"}
    for args in (["board", "--json"], ["audit", "verify"], ["views", "status"]):
        result = run(*args, env=env)
        assert result.exit_code == 0, (args, result.output)
    missing = tmp_path / "elsewhere.db"
    overridden = run("board", "--db", str(missing), env=env)
    assert overridden.exit_code == 2
    assert str(missing) in overridden.stderr


def test_every_db_option_reads_the_variable() -> None:
    """Given every command of the command line that takes --db, then its option reads
    EXECUTION_CORE_STORE, but `simulate`'s (which records only where --db says)."""
    readers = {}
    for name, callback in commands(app).items():
        hints = typing.get_type_hints(callback, include_extras=True)
        if "db" in hints:
            (option,) = [m for m in hints["db"].__metadata__ if isinstance(m, OptionInfo)]
            readers[name] = option.envvar
    assert {"board", "demo", "worker", "audit verify", "views status"} <= set(readers)
    assert {name for name, envvar in readers.items() if envvar != STORE_VARIABLE} == {"simulate"}


def test_the_help_names_the_variable() -> None:
    """Given a command's help, then --db says it reads EXECUTION_CORE_STORE."""
    result = run("board", "--help", env={"COLUMNS": "300"})
    assert STORE_VARIABLE in result.stdout


def _on_a_terminal(*args: str, deadline: float = 120) -> bytes:
    """What the installed script writes to a pseudo-terminal (its stdout and stderr both),
    read until it exits or ``deadline`` seconds pass."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(SCRIPT), *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(terminal)
    seen = bytearray()
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=30)
    os.close(controller)
    assert process.returncode == 0, bytes(seen)
    return bytes(seen)


def test_export_and_import_draw_progress_on_a_terminal_only(
    demo_store: Path, tmp_path: Path
) -> None:
    """Given the demo store, when it is exported and imported on a terminal, then a progress
    line is drawn for each; through pipes (typer's runner), standard error holds only the
    one-line summary."""
    export = tmp_path / "season.jsonl"
    seen = _on_a_terminal("audit", "export", "--db", str(demo_store), "--out", str(export))
    assert b"exporting" in seen
    seen = _on_a_terminal("audit", "import", str(export), "--db", str(tmp_path / "copy.db"))
    assert b"validating and storing" in seen
    piped = run("audit", "export", "--db", str(demo_store), "--out", str(tmp_path / "b.jsonl"))
    assert piped.stderr.splitlines() == [
        f"exported {len(export.read_bytes().splitlines())} events to {tmp_path / 'b.jsonl'}"
    ]


def test_a_reader_that_stops_reading_ends_the_command_quietly(demo_store: Path) -> None:
    """Given the export piped into a reader that takes one line and closes the pipe, then the
    command exits 0 and says nothing on standard error."""
    process = subprocess.Popen(
        [str(SCRIPT), "audit", "export", "--db", str(demo_store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""
    process.stderr.close()


LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|WARNING|ERROR) execution_core_adapters\.cli\.worker: "
)


def test_the_worker_logs_through_logging(demo_store: Path, tmp_path: Path) -> None:
    """Given a worker on a copy of the demo store, when it starts, catches up and is stopped,
    then every line on its stderr is a log record (UTC time, level, logger) and none is an
    error."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(demo_store.read_bytes())
    worker = WorkerProcess(f"sqlite:///{copy}", "board")
    worker.wait_for("applied")
    assert worker.signal(signal.SIGTERM) == 0, "\n".join(worker.lines)
    assert worker.lines, "no log line"
    assert all(LOG_LINE.match(line) for line in worker.lines), "\n".join(worker.lines)
    assert not any(" ERROR " in line for line in worker.lines)
    assert "stopped" in worker.lines[-1]


def test_a_signal_ends_a_wait_on_the_stop_event_and_every_later_one() -> None:
    """Given the stop event the views commands and the worker wait on, when SIGTERM arrives
    while the main thread waits, then the wait returns True (its timeout is a bound, never
    reached), the event is set and later waits return at once; after the block the previous
    handler is back. (The event's set takes no lock, so a handler cannot deadlock the thread
    it interrupts, as threading.Event's could.)"""
    before = signal.getsignal(signal.SIGTERM)
    with stopping_on_signals() as stop:
        assert isinstance(stop, SignalledStop)
        assert stop.wait(0) is False
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM))
        timer.start()
        assert stop.wait(60) is True
        timer.join()
        assert stop.is_set()
        assert stop.wait(60) is True
    assert signal.getsignal(signal.SIGTERM) is before

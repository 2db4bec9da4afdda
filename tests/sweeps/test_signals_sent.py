"""The signals a run's live views sent, as a sweep's opt-in metric: each run's
``signals_sent`` is the count a replay of its history logs (oracle: ``replay_signals`` on the
same seed's store), the frame and the command line carry it, and a sweep without it has no
such column."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from execution_core.signals import replay_signals
from execution_core.simulation import ExecutionManagement, Model
from execution_core_adapters.cli.main import app
from execution_core_adapters.simulate import simulate
from execution_core_adapters.sweeps import LoopEngine, sweep

MODEL = Model(people=12, weeks=8)


def test_each_run_counts_the_signals_a_replay_of_its_history_logs() -> None:
    """Given a sweep of two seeds asking for signals, when it runs in a loop, then each run's
    signals_sent equals the signals replayed from the same seed's history, and is not zero."""
    result = sweep(
        {"policy": ["execution"]}, seeds=2, model=MODEL, engine=LoopEngine(), signals=True
    )

    for run in result.runs:
        with simulate(MODEL, ExecutionManagement(), seed=run.seed) as simulation:
            expected = len(replay_signals(simulation.execution.store.read_all()))
        assert run.outcome.signals_sent == expected
        assert expected > 0
    assert list(result.frame()["signals_sent"]) == [r.outcome.signals_sent for r in result.runs]


def test_without_signals_the_frame_has_no_such_column() -> None:
    """Given a sweep that does not ask, then its runs carry None and its frame no column."""
    result = sweep({"policy": ["execution"]}, seeds=1, model=MODEL, engine=LoopEngine())

    assert result.runs[0].outcome.signals_sent is None
    assert "signals_sent" not in result.frame().columns


def test_the_command_line_summarizes_signals_sent_when_asked() -> None:
    """Given `sweep --signals --loop --json`, then a summary record of signals_sent is
    printed for the point, its mean the mean of the runs' counts."""
    args = ["sweep", "--people", "12", "--weeks", "8", "--policy", "execution", "--seeds", "2"]
    result = CliRunner().invoke(app, [*args, "--loop", "--signals", "--json"])

    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    sent = [r for r in records if r["metric"] == "signals_sent"]
    assert len(sent) == 1
    assert sent[0]["runs"] == 2
    assert sent[0]["mean"] > 0

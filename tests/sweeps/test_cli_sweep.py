"""``execution-core sweep``: a grid from options or a TOML file, summaries and Parquet, on a
plain loop or on a running Dask scheduler named by the environment; bad grids exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from distributed import Client
from typer.testing import CliRunner

from execution_core.simulation import Model
from execution_core_adapters.cli.main import app
from execution_core_adapters.sweeps import SCHEDULER_ENV, LoopEngine, sweep

runner = CliRunner()

OPTIONS = ["--people", "6", "--weeks", "4", "--policy", "execution", "--policy", "performance"]


def _loop_frame(**axes: object) -> pd.DataFrame:
    return sweep(axes, seeds=2, model=Model(), engine=LoopEngine()).frame()


def test_a_sweep_from_options_prints_each_point_and_writes_its_runs(tmp_path: Path) -> None:
    """Given two policies and two coaching effects as options, when `sweep --loop` runs on two
    seeds, then it exits 0, prints a section per point with the metrics asked, and the Parquet
    file holds the same rows as the library's sweep."""
    out = tmp_path / "runs.parquet"
    args = [
        "sweep",
        *OPTIONS,
        "--coaching-effect",
        "0",
        "--coaching-effect",
        "0.5",
        "--seeds",
        "2",
        "--loop",
        "--metric",
        "attainment_mean",
        "--parquet",
        str(out),
    ]

    result = runner.invoke(app, args, env={"COLUMNS": "160"})

    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "policy=performance, people=6, weeks=4, coaching_effect=0.5" in text
    assert "8 of 8 runs" in text
    assert "attainment_mean" in text
    written = pd.read_parquet(out)
    expected = _loop_frame(
        policy=["execution", "performance"], people=[6], weeks=[4], coaching_effect=[0, 0.5]
    )
    pd.testing.assert_frame_equal(written, expected)


def test_a_grid_file_is_read_and_an_option_replaces_its_values(tmp_path: Path) -> None:
    """Given a TOML grid with seeds and a [grid] table, when `sweep` runs it with --people
    over the file's head count and a --param, then the runs are the file's grid with the
    options' values."""
    grid = tmp_path / "grid.toml"
    grid.write_text(
        'seeds = [4, 9]\n[grid]\npolicy = ["execution"]\npeople = 40\nweeks = 4\n'
        "recoach_weeks = [1, 2]\n"
    )
    out = tmp_path / "runs.parquet"

    result = runner.invoke(
        app,
        ["sweep", "--grid", str(grid), "--people", "6", "--param", "adjust_targets=false",
         "--loop", "--parquet", str(out)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    written = pd.read_parquet(out)
    assert list(written.columns[:6]) == [
        "policy", "people", "weeks", "recoach_weeks", "adjust_targets", "seed"
    ]  # fmt: skip
    assert written[["recoach_weeks", "seed"]].values.tolist() == [[1, 4], [1, 9], [2, 4], [2, 9]]
    assert set(written["people"]) == {6}
    assert not written["adjust_targets"].any()


def test_a_bad_grid_exits_2_naming_the_parameter_and_writes_nothing(tmp_path: Path) -> None:
    """Given a coaching effect out of the model's range, an unknown --param, or a grid file
    that is not TOML, when `sweep` runs, then it exits 2 with one line naming the parameter
    (or the file) and no Parquet file is written."""
    out = tmp_path / "runs.parquet"
    broken = tmp_path / "grid.toml"
    broken.write_text("seeds = [1,\n")
    cases = [
        (["--coaching-effect", "0.2", "--param", "coaching_effect=2"], "coaching_effect: "),
        (["--param", "cadence=7,14"], "cadence: unknown parameter"),
        (["--param", "recoach_weeks="], "recoach_weeks: an empty range"),
        (["--grid", str(broken)], "not a TOML grid"),
    ]
    for options, says in cases:
        result = runner.invoke(app, ["sweep", *OPTIONS, *options, "--parquet", str(out)])

        assert result.exit_code == 2, result.output
        assert says in " ".join(result.output.split())
        assert not out.exists()


@contextmanager
def running_scheduler(folder: Path) -> Iterator[str]:
    """A Dask scheduler and one worker, each its own process on 127.0.0.1 (ports chosen by the
    OS), as a remote cluster is; its address. Both are stopped afterwards."""
    dask = str(Path(sys.executable).parent / "dask")
    file = folder / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(file)],
            **quiet,  # type: ignore[call-overload]
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        processes.append(
            subprocess.Popen(
                [dask, "worker", "--scheduler-file", str(file), "--nworkers", "1",
                 "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"],
                **quiet,  # type: ignore[call-overload]
            )
        )  # fmt: skip
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def test_the_scheduler_named_by_the_environment_runs_the_sweep_as_the_loop_does(
    tmp_path: Path,
) -> None:
    """Given a scheduler and a worker running as their own processes, when `sweep` runs with
    $EXECUTION_CORE_SCHEDULER naming the scheduler, then it says it ran there and its runs
    equal the plain loop's, seed for seed."""
    out = tmp_path / "runs.parquet"
    with running_scheduler(tmp_path) as address:
        result = runner.invoke(
            app,
            ["sweep", *OPTIONS, "--seeds", "2", "--parquet", str(out)],
            env={SCHEDULER_ENV: address},
        )

    assert result.exit_code == 0, result.output
    assert f"on the scheduler at {address}" in " ".join(result.stdout.split())
    pd.testing.assert_frame_equal(
        pd.read_parquet(out),
        _loop_frame(policy=["execution", "performance"], people=[6], weeks=[4]),
    )

"""Timing whole processes: wall time and peak resident memory of each child, run after run, interleaved."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Run:
    """One child process: how long it took, its peak RSS (of itself or its largest waited-for child)."""

    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    extra: dict[str, Any] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # user + system time of the process and the children it waited for


def child_env(**overrides: str) -> dict[str, str]:
    """The environment minus anything that would point a client or generator elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "LOWCODEAPI_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(overrides)
    return env


# A child forked from this (large) process starts with this process's pages counted as its own, and
# Linux carries that high-water mark across exec: wait4's ru_maxrss of a direct child reads at least
# this process's size. GNU time, itself small, reports the true peak of the command it runs.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_process(argv: Sequence[str], *, cwd: str | None = None, env: Mapping[str, str] | None = None,
                timeout: float = 900.0) -> Run:
    """Run argv to completion; wall time from spawn to reap, peak RSS through GNU time where there is
    one (else wait4's rusage, which reads at least this process's own size)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        command = [GNU_TIME, "-f", "%M %U %S", "-o", rss.name, *argv] if GNU_TIME else list(argv)
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=dict(env) if env is not None else None,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        # the whole group: GNU time's command and its workers too
        killer = threading.Timer(timeout, lambda: os.killpg(process.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak_kb, cpu = float(usage.ru_maxrss), usage.ru_utime + usage.ru_stime
        if GNU_TIME:
            with open(rss.name, encoding="utf-8", errors="replace") as handle:
                last = handle.read().strip().splitlines()[-1:]  # after any "Command exited ..." line
            fields = last[0].split() if last else []
            if len(fields) == 3 and fields[0].isdigit():
                peak_kb, cpu = float(fields[0]), float(fields[1]) + float(fields[2])
        return Run(seconds, peak_kb / 1024, process.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), cpu_seconds=cpu)


def interleaved(cases: Mapping[str, Callable[[], Run]], rounds: int, log: Callable[[str], None]) -> dict[str, list[Run]]:
    """Each case once per round, in order (A B A B ...), so drift in the machine's load hits all alike."""
    results: dict[str, list[Run]] = {name: [] for name in cases}
    for index in range(rounds):
        for name, case in cases.items():
            run = case()
            results[name].append(run)
            log(f"  round {index + 1}/{rounds} {name}: {run.seconds:.3f} s, {run.max_rss_mb:.0f} MB, exit {run.returncode}")
    return results


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def median_seconds(runs: Sequence[Run]) -> float:
    return median([r.seconds for r in runs])


def peak_mb(runs: Sequence[Run]) -> float:
    return max((r.max_rss_mb for r in runs), default=float("nan"))

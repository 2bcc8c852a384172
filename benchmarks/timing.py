"""Timing shared by the benchmark scripts (run them as `python benchmarks/NAME.py`)."""

from __future__ import annotations

import statistics
import subprocess
import time


def median_ms(args: list[str], runs: int) -> float:
    """Median wall time of a fresh process, in milliseconds, after one warm-up run."""
    subprocess.run(args, check=True, capture_output=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def median_cpu_ms(args: list[str], runs: int) -> float:
    """Median CPU time (user + system) of a fresh process, in milliseconds, after one
    warm-up run: unlike wall time, it does not grow when other work shares the machine."""
    import resource

    subprocess.run(args, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        times.append(used * 1000)
    return statistics.median(times)

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

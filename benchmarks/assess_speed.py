"""How fast self-assessment runs. Prints figures; asserts nothing.

Targets: at least 500 submissions parsed, validated and assessed per second
for the largest example on one core (issue: hostile input; 300 before); at
least 2,000 assessments per second of an already-loaded submission; and a
cold `nums assess --json` at most 1.5x the import floor (click, PyYAML and
pydantic). Rates are per second of CPU time, so a busy machine does not lower them.

Run: python benchmarks/assess_speed.py [SUBMISSION ...]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from timing import median_cpu_ms, median_ms

from nums.evaluation import assess
from nums.standard import load_edition
from nums.submission import load_submission

REPO = Path(__file__).resolve().parents[1]


def rate(action: Callable[[], object], seconds: float = 2.0) -> float:
    """Calls per second of this process's CPU time (one core), over about ``seconds``:
    the figure holds on a machine shared with other work."""
    count, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        action()
        count += 1
    return count / elapsed


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted(REPO.glob("evidence_examples/*/submission.yaml"))
    if not files:
        sys.exit("no submissions to measure: pass paths or add evidence_examples/")
    largest = max(files, key=lambda p: p.stat().st_size)
    edition = load_edition()
    loaded = load_submission(largest, edition)
    print(
        f"largest example: {largest.relative_to(REPO) if largest.is_relative_to(REPO) else largest} "
        f"({largest.stat().st_size} bytes, {len(loaded.claims)} criteria)"
    )
    full = rate(lambda: assess(edition, load_submission(largest, edition)))
    print(f"parse + validate + assess: {full:8.0f} per second   (target >= 500)")
    only = rate(lambda: assess(edition, loaded))
    print(f"assess a loaded submission: {only:7.0f} per second   (target >= 2000)")
    floor_args = [sys.executable, "-c", "import click, yaml; from pydantic import BaseModel"]
    command_args = [sys.executable, "-m", "nums", "assess", "--json", str(largest)]
    bare = median_ms([sys.executable, "-c", "pass"], 7)
    deps = median_ms(floor_args, 7)
    command = median_ms(command_args, 7)
    print(
        f"cold start: bare python {bare:.0f} ms; import click+yaml+pydantic {deps:.0f} ms; "
        f"nums assess --json {command:.0f} ms ({command / deps:.2f}x the imports; target <= 1.50x)"
    )
    deps_cpu, command_cpu = median_cpu_ms(floor_args, 7), median_cpu_ms(command_args, 7)
    print(
        f"cold start, CPU time: imports {deps_cpu:.0f} ms; nums assess --json {command_cpu:.0f} ms "
        f"({command_cpu / deps_cpu:.2f}x)"
    )

if __name__ == "__main__":
    main()

"""How fast self-assessment runs. Prints figures; asserts nothing.

Targets: at least 500 submissions parsed, validated and assessed per second
for the largest example on one core (issue: hostile input; 300 before); at
least 2,000 assessments per second of an already-loaded submission; and a
cold `nums assess --json` at most 1.5x the import floor (click, PyYAML and
pydantic). Rates are per second of CPU time, so a busy machine does not lower them. The
cold start also prints what one pydantic model costs on its own, the part nums cannot remove.

Run: python benchmarks/assess_speed.py [SUBMISSION ...]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from timing import median_cpu_ms, median_ms

from nums.edition_loading import load_edition
from nums.evaluation import assess
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
    cold_start(largest)


# What any program pays that defines one pydantic model and validates one document with it:
# pydantic.fields (and pydantic.types, annotated_types) and, on the first validator, pydantic's
# plugin loader (importlib.metadata). nums cannot start faster than this while it uses pydantic.
PYDANTIC_ONE_MODEL = """
import click, yaml
from pydantic import BaseModel, ConfigDict
class One(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    name: str
One.model_validate({"name": "x"})
"""


def cold_start(submission: Path) -> None:
    """A fresh ``nums assess --json`` against the imports it cannot avoid, in CPU time.

    nums's own modules are byte-compiled first, as ``pip install`` does (a checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile them on every run), and edition
    snapshots go to a folder of this run's own: the warm-up run writes one, as a first run does.
    """
    import compileall
    import os
    import tempfile

    import nums

    compileall.compile_dir(Path(nums.__file__).parent, quiet=1)
    python = sys.executable
    floor_args = [python, "-c", "import click, yaml; from pydantic import BaseModel"]
    pydantic_args = [python, "-c", PYDANTIC_ONE_MODEL]
    command_args = [python, "-m", "nums", "assess", "--json", str(submission)]
    with tempfile.TemporaryDirectory() as snapshots:
        os.environ["NUMS_CACHE_DIR"] = snapshots
        bare = median_ms([python, "-c", "pass"], 7)
        deps, command = median_ms(floor_args, 7), median_ms(command_args, 7)
        print(
            f"cold start: bare python {bare:.0f} ms; import click+yaml+pydantic {deps:.0f} ms; "
            f"nums assess --json {command:.0f} ms ({command / deps:.2f}x the imports; target <= 1.50x)"
        )
        deps_cpu, command_cpu = median_cpu_ms(floor_args, 9), median_cpu_ms(command_args, 9)
        one_model_cpu = median_cpu_ms(pydantic_args, 9)
        os.environ["NUMS_CACHE_DIR"] = "off"
        unsnapshotted_cpu = median_cpu_ms(command_args, 9)
    print(
        f"cold start, CPU time: imports {deps_cpu:.0f} ms; nums assess --json {command_cpu:.0f} ms "
        f"({command_cpu / deps_cpu:.2f}x)"
    )
    print(f"  without the edition snapshot: {unsnapshotted_cpu:.0f} ms ({unsnapshotted_cpu / deps_cpu:.2f}x)")
    print(
        f"  one pydantic model validating one document: {one_model_cpu:.0f} ms "
        f"({one_model_cpu / deps_cpu:.2f}x: what pydantic alone adds to the imports)"
    )


if __name__ == "__main__":
    main()

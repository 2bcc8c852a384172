"""How fast `nums portfolio` reads a scheme operator's workspace. Prints figures; asserts nothing.

Target (issue: the university's portfolio): at least 500 programmes per second on
this 2-core machine for a workspace of 2,000 programmes, using a process pool when
the workspace is large and one process when it is small; memory stays flat because
each programme is loaded, summarised and dropped.

It builds the workspace in a temporary folder from the shipped examples, with
varied application dates, award histories and claims, then times a cold
`nums portfolio WORKSPACE --json` (a fresh process, as a person would run it).

Run: python benchmarks/portfolio_speed.py [PROGRAMMES]
"""

from __future__ import annotations

import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "evidence_examples"


def build_workspace(root: Path, count: int, seed: int = 2026) -> None:
    """``count`` programmes, three folders deep at most, copied from the examples and varied."""
    chooser = random.Random(seed)
    sources = sorted(p.parent for p in EXAMPLES.glob("*/submission.yaml"))
    texts = {source: yaml.safe_load((source / "submission.yaml").read_text()) for source in sources}
    for index in range(count):
        source = chooser.choice(sources)
        data = texts[source]
        folder = root / f"faculty-{index % 7}" / f"school-{index % 13}" / f"programme-{index:05}"
        shutil.copytree(source / "evidence", folder / "evidence")
        varied = dict(data)
        start = date(2024, 1, 1) + timedelta(days=chooser.randrange(0, 800))
        varied["history"] = [{"level": chooser.choice(["bronze", "silver"]), "awarded": start}]
        varied["application"] = {
            **data["application"],
            "date": start + timedelta(days=chooser.randrange(200, 380)),
        }
        criteria = dict(varied.get("criteria") or {})
        for item in chooser.sample(sorted(criteria), k=len(criteria) // 4):
            criteria.pop(item)
        varied["criteria"] = criteria
        (folder / "submission.yaml").write_text(yaml.safe_dump(varied, sort_keys=False), encoding="utf-8")
        if source.name == "peer-mentoring" and index % 3 == 0:
            shutil.copy(source / "review.yaml", folder / "review.yaml")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    nums = str(Path(sys.executable).with_name("nums"))
    with tempfile.TemporaryDirectory(prefix="nums-portfolio-bench-") as scratch:
        root = Path(scratch)
        build_workspace(root, count)
        for jobs in ("1", None):
            args = [nums, "portfolio", str(root), "--json", "--on", "2026-09-01"]
            if jobs:
                args += ["--jobs", jobs]
            start = time.perf_counter()
            result = subprocess.run(args, capture_output=True, check=False)
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            label = f"--jobs {jobs}" if jobs else "default (a pool on every core)"
            print(
                f"{count} programmes, {label}: {seconds:.2f} s cold, {count / seconds:.0f} programmes/s, "
                f"exit {result.returncode}, peak child memory so far {peak:.0f} MiB"
            )
        print("target: at least 500 programmes/s with the default")


if __name__ == "__main__":
    main()

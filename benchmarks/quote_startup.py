"""How fast `nums quote --initial 3 --json` answers, against a bare interpreter
importing the tool's own dependencies. Prints figures; asserts nothing.

Target (issue: quotes): at most 1.6 times
`python -c "import click, yaml; from pydantic import BaseModel"`.

Run: python benchmarks/quote_startup.py [RUNS]
"""

from __future__ import annotations

import subprocess
import sys

from timing import median_ms


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    python = sys.executable
    bare = median_ms([python, "-c", "pass"], runs)
    deps = median_ms([python, "-c", "import click, yaml; from pydantic import BaseModel"], runs)
    quote = median_ms([python, "-m", "nums", "quote", "--initial", "3", "--json", "--on", "2026-03-02"], runs)
    weasy = [python, "-c", "import sys, nums.cli.finance; print('weasyprint' in sys.modules)"]
    imported = subprocess.run(weasy, check=True, capture_output=True, text=True).stdout.strip()
    where = subprocess.run(
        [python, "-c", "import nums; print(nums.__file__)"], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"median of {runs} runs; nums imported from {where}")
    print("  (an editable install adds an import hook: measure a regular `pip install .`)")
    print(f"  python -c pass                          {bare:7.1f} ms")
    print(f"  import click, yaml, pydantic.BaseModel  {deps:7.1f} ms")
    print(f"  nums quote --initial 3 --json           {quote:7.1f} ms")
    print(f"  ratio to the imports: {quote / deps:.2f}  (target <= 1.6)")
    print(f"  WeasyPrint imported by the quote command: {imported}")


if __name__ == "__main__":
    main()

"""What the browser tests share: Debian's chromium, its launch arguments, the two widths every page
is looked at, the screenshot folder and axe-core's verdict. The ``browser`` fixture itself is in
``tests/conftest.py`` (one chromium per module; a module that imported a fixture would
trip ruff's F811 where it names it as an argument)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("NUMS_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WIDTHS = (1280, 390)
"""A desktop and a phone: "screenshots at 1280 and 390 px"."""


def shots_folder(tmp_path: Path) -> Path:
    """Where screenshots go: NUMS_SCREENSHOTS=folder keeps them for looking at."""
    folder = Path(os.environ.get("NUMS_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def no_serious_violations(page: Any) -> None:
    """axe-core: no serious or critical accessibility violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    details = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in bad]
    assert not bad, details

"""How long each PDF takes when applicant text holds one long unbroken word: a programme
name, a title or a comment of LENGTH characters with no space in it. Prints figures; asserts
nothing.

Issue 19 (every input is bounded): the portfolio's PDF took time quadratic in a name's length
(10,000 characters: 167 s), because WeasyPrint lays out the whole rest of an unbreakable word
again for every line it breaks off. Names, titles and web addresses are now bounded
(limits.MAX_NAME_CHARACTERS, MAX_TITLE_CHARACTERS, MAX_URL_CHARACTERS: longer ones are refused,
which the output shows); a statement or a comment holds at most almost all of a file's text
(limits.MAX_TEXT_CHARACTERS): give 190000 to time the worst case.

Run: python benchmarks/long_words.py [LENGTH ...]  (default: 2000 10000)
     python benchmarks/long_words.py --png FOLDER LENGTH   (also keeps page 1 of each as PNG)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
PEER = REPO / "evidence_examples" / "peer-mentoring"
WORD_CHARACTER = "W"  # the widest plain letter: the most lines per character


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _programme(folder: Path, change: Callable[[dict[str, Any], dict[str, Any]], None]) -> Path:
    """The peer example copied to ``folder``, its submission and review changed by ``change``."""
    shutil.copytree(PEER, folder)
    submission, review = _load(folder / "submission.yaml"), _load(folder / "review.yaml")
    change(submission, review)
    for name, data in (("submission.yaml", submission), ("review.yaml", review)):
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True, width=1 << 30), encoding="utf-8")
    return folder


def _name(word: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    return lambda sub, rv: sub["programme"].update(name=word)


def _title(word: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    return lambda sub, rv: sub["criteria"]["aims.1"]["evidence"][0].update(title=word)


def _statement(word: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    return lambda sub, rv: sub["criteria"]["aims.1"].update(statement=word)


def _url(word: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    return lambda sub, rv: sub["criteria"]["aims.1"]["evidence"][0].update(url="https://example.org/" + word)


def _comment(word: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def change(sub: dict[str, Any], rv: dict[str, Any]) -> None:
        rv["decisions"]["diversity.2"]["comment"] = word  # an evidence request: in a table of the letter

    return change


def _reviewer(word: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    return lambda sub, rv: rv["reviewer"].update(name=word)


def cases(word: str, scratch: Path) -> list[tuple[str, list[str], Path]]:
    """(label, nums arguments, PDF written) for each document and field."""
    found = []
    for label, change in (("name", _name), ("title", _title), ("statement", _statement), ("url", _url)):
        folder = _programme(scratch / f"pack-{label}", change(word))
        pdf = scratch / f"pack-{label}.pdf"
        found.append((f"pack, long {label}", ["pack", str(folder / "submission.yaml"), "-o", str(pdf)], pdf))
    for label, change in (("name", _name), ("comment", _comment), ("reviewer", _reviewer)):
        folder = _programme(scratch / f"letter-{label}", change(word))
        pdf = scratch / f"letter-{label}.pdf"
        review = [str(folder / "submission.yaml"), str(folder / "review.yaml")]
        found.append((f"letter, long {label}", ["review", *review, "--letter", str(pdf)], pdf))
    pdf = scratch / "quote-to.pdf"
    found.append(("quote, long --to", ["quote", "--initial", "1", "--to", word, "--pdf", str(pdf)], pdf))
    workspace = scratch / "workspace"
    _programme(workspace / "long", _name(word))
    _programme(workspace / "short", lambda sub, rv: None)
    pdf = scratch / "portfolio.pdf"
    args = ["portfolio", str(workspace), "--on", "2026-09-01", "--pdf", str(pdf)]
    found.append(("portfolio, long name", args, pdf))
    return found


def run(args: list[str], timeout: float) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user and system: what a shared machine does not inflate) and a
    failure, if any."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "nums", *args], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, float("nan"), f"stopped after {timeout:.0f} s"
    except OSError as exc:  # an argument longer than the system passes to a program
        return 0.0, float("nan"), f"not run: {exc.strerror}"
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    failed = "" if result.returncode == 0 else f"exit {result.returncode}: {result.stderr.strip()[:200]}"
    return seconds, cpu, failed


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def main() -> None:
    arguments = sys.argv[1:]
    png_folder = None
    if arguments[:1] == ["--png"]:
        png_folder, arguments = Path(arguments[1]), arguments[2:]
        png_folder.mkdir(parents=True, exist_ok=True)
    lengths = [int(a) for a in arguments] or [2000, 10000]
    timeout = 600.0
    for length in lengths:
        print(f"one unbroken word of {length:,} characters")
        with tempfile.TemporaryDirectory(prefix="nums-long-words-") as folder:
            for label, args, pdf in cases(WORD_CHARACTER * length, Path(folder)):
                seconds, cpu, failed = run(args, timeout)
                shown = failed or f"{pages(pdf)} pages"
                print(f"  {label:<24} {seconds:7.2f} s wall {cpu:7.2f} s CPU   {shown}", flush=True)
                if png_folder is not None and not failed:
                    stem = png_folder / f"{label.replace(', ', '-').replace(' ', '-')}-{length}"
                    subprocess.run(
                        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(stem)]
                    )


if __name__ == "__main__":
    main()

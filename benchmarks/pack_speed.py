"""How long `nums pack` takes on the largest example, against WeasyPrint alone
rendering the pack's own HTML with the same options (PDF/UA tagging), both as
whole processes; and the peak memory of each. Prints figures; asserts nothing.

Target (issue: the PDF submission pack): the whole `nums pack` command at most
1.3 times WeasyPrint alone. Also times the largest packs nums's limits allow (limits.py:
issue: hostile input, "every command ... ends within seconds"): one with the most text in
statements, one with the most evidence cited under long titles.

Run: python benchmarks/pack_speed.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WEASYPRINT_ALONE = """
import sys, weasyprint
html = open(sys.argv[1], encoding="utf-8").read()
weasyprint.HTML(string=html, base_url=sys.argv[3]).write_pdf(sys.argv[2], pdf_variant="pdf/ua-1")
"""


def timed(args: list[str], runs: int) -> tuple[float, float]:
    """Median seconds and peak resident memory (MiB) of a command run ``runs`` times."""
    times = []
    peak = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"failed: {' '.join(args)}")
        peak = max(peak, usage.ru_maxrss / 1024)
    return statistics.median(times), peak


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    examples = sorted(REPO.glob("evidence_examples/*/submission.yaml"), key=lambda p: p.stat().st_size)
    largest = examples[-1]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        subprocess.run(
            [sys.executable, "-m", "nums", "pack", str(largest), "--html", str(out / "pack.html")], check=True
        )
        nums_time, nums_peak = timed(
            [sys.executable, "-m", "nums", "pack", str(largest), "-o", str(out / "pack.pdf")], runs
        )
        alone_time, alone_peak = timed(
            [
                sys.executable,
                "-c",
                WEASYPRINT_ALONE,
                str(out / "pack.html"),
                str(out / "alone.pdf"),
                largest.parent.as_uri() + "/",
            ],
            runs,
        )
        from pypdf import PdfReader

        pages = len(PdfReader(str(out / "pack.pdf")).pages)
    print(f"largest example: {largest.relative_to(REPO)}  (median of {runs} runs)")
    print(f"  nums pack (whole command)        {nums_time:6.2f} s   peak {nums_peak:6.1f} MiB")
    print(f"  WeasyPrint alone, same HTML      {alone_time:6.2f} s   peak {alone_peak:6.1f} MiB")
    print(f"  ratio: {nums_time / alone_time:.2f}  (target <= 1.3)")
    print(f"  pages: {pages}")
    print("largest packs the limits allow (one run each)")
    for shape in ("statements", "citations"):
        seconds, peak, pages = largest_allowed(largest, shape)
        print(f"  most {shape:<10}  {seconds:6.2f} s   peak {peak:6.1f} MiB   {pages} pages")


def largest_allowed(example: Path, shape: str) -> tuple[float, float, int]:
    """Fill ``example`` to the limits (text in statements, or as many citations as allowed
    with long titles), pack it once, and say how long it took."""
    import yaml
    from pypdf import PdfReader

    from nums import limits

    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    claims = data["criteria"]
    per_claim = limits.MAX_EVIDENCE_CITATIONS // len(claims)
    words = "Mentors meet their mentees every fortnight and record what was agreed. "
    for ident, claim in claims.items():
        claim["met"] = True
        claim["statement"] = ""
        claim["evidence"] = [
            {"title": f"Steering group minutes {n} for {ident}", "url": f"https://example.ac.uk/{ident}/{n}"}
            for n in range(per_claim)
        ]
    spare = limits.MAX_TEXT_CHARACTERS - limits.characters(data) - 100
    if shape == "statements":
        for claim in claims.values():
            claim["statement"] = (words * 1000)[: spare // len(claims)]
    else:
        for claim in claims.values():
            for item in claim["evidence"]:
                item["title"] += " " + (words * 10)[: spare // (len(claims) * per_claim) - 1]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "submission.yaml"
        source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        pdf = Path(folder) / "pack.pdf"
        seconds, peak = timed([sys.executable, "-m", "nums", "pack", str(source), "-o", str(pdf)], 1)
        return seconds, peak, len(PdfReader(str(pdf)).pages)


if __name__ == "__main__":
    main()

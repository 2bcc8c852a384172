"""The site's workers lay out PDFs in a helper process (``nums.render.pdf.lay_out_in_a_helper``):
WeasyPrint holds the GIL for the second or more a document takes, and the worker's event loop
serves every other request meanwhile. The rules: the bytes are the same wherever they are made
("the same input gives the same bytes"), the process that asked never imports WeasyPrint, and a
helper that dies costs no document."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from nums.render import pdf

SAMPLE = pdf.Document(
    html="<!doctype html><html lang='en'><head><title>Sample</title></head><body><h1>A letter</h1>"
    "<p>Laid out wherever it is asked for, the same bytes.</p></body></html>",
    created=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    attachments=(pdf.Attachment("note.txt", b"attached as it is", "a note"),),
)

ASKED_ELSEWHERE = """
import sys
from pathlib import Path
from tests.test_render_helper import SAMPLE
from nums.render import pdf
pdf.lay_out_in_a_helper()
data = pdf.render_pdf(SAMPLE)
Path(sys.argv[1]).write_bytes(data)
print("weasyprint" in sys.modules)
pdf.lay_out_in_a_helper(False)
"""


def test_a_helper_makes_the_same_bytes_and_the_asker_never_imports_weasyprint(tmp_path: Path) -> None:
    here = pdf.render_here(SAMPLE)
    made = tmp_path / "elsewhere.pdf"
    root = Path(__file__).resolve().parents[1]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
    run = subprocess.run(
        [sys.executable, "-c", ASKED_ELSEWHERE, str(made)],
        capture_output=True,
        text=True,
        timeout=180,
        env=environment,
        cwd=root,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"  # the PDF was laid out in the helper, not in the asker
    assert made.read_bytes() == here


def test_a_helper_that_dies_costs_no_document() -> None:
    here = pdf.render_here(SAMPLE)
    pdf.lay_out_in_a_helper()
    try:
        helper = pdf._HELPER
        assert helper is not None
        assert pdf.render_pdf(SAMPLE) == here
        for process in list(helper._executor()._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join(30)
        assert pdf.render_pdf(SAMPLE) == here  # laid out here, or by a new helper
        assert pdf.render_pdf(SAMPLE) == here
    finally:
        pdf.lay_out_in_a_helper(False)
    assert pdf._HELPER is None and pdf.render_pdf(SAMPLE) == here  # off: laid out here again


def test_two_documents_laid_out_at_once_keep_their_own_dates() -> None:
    """ "Dates come from the caller, never the wall clock", and "the same input gives the same
    bytes" with threads laying documents out at once (``nums serve``), though the date is handed
    to fontTools through the environment they share (``pdf._ONE_AT_A_TIME``)."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    later = replace(SAMPLE, created=datetime(2027, 9, 30, 8, 0, tzinfo=UTC))
    alone = {SAMPLE.created: pdf.render_here(SAMPLE), later.created: pdf.render_here(later)}
    assert alone[SAMPLE.created] != alone[later.created]
    with ThreadPoolExecutor(max_workers=4) as threads:
        made = list(
            threads.map(lambda document: (document.created, pdf.render_here(document)), [SAMPLE, later] * 3)
        )
    assert all(data == alone[created] for created, data in made)

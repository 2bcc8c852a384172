"""The certificate: one A4 landscape page, tagged (PDF/UA-1), deterministic like the pack.

It says what the credential says (the same ``AwardFacts``): every programme a combined award
covers, the institution, the level, valid from and until, the certificate number, the issuer
as the edition names it, and the verification address with its QR code (segno, SVG, inline).
Its date is the review's (or ``SOURCE_DATE_EPOCH``), so the same award gives the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from markupsafe import Markup

from nums.awards.credential import AwardFacts
from nums.awards.logo import DESIGNS, OTHER_LEVEL
from nums.render.pdf import Document, render_template, source_date, write_pdf


def qr_svg(address: str) -> Markup:
    import segno

    code = segno.make(address, error="m")
    return Markup(code.svg_inline(scale=4, title=f"Verification address: {address}"))


def certificate_html(facts: AwardFacts, issuer_note: str | None, created: datetime) -> str:
    return render_template(
        "certificate.html",
        f=facts,
        issuer_note=issuer_note,
        design=DESIGNS.get(facts.level, OTHER_LEVEL),
        qr=qr_svg(facts.page),
        created=created.isoformat(),
    )


def write_certificate(facts: AwardFacts, issuer_note: str | None, target: Path) -> None:
    created = source_date(datetime.combine(facts.issued, time(0, 0), tzinfo=UTC))
    write_pdf(Document(html=certificate_html(facts, issuer_note, created), created=created), target)

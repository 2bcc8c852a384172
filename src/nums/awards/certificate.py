"""The certificate: one A4 landscape page, tagged (PDF/UA-1), deterministic like the pack.

It says what the credential says (the same ``AwardFacts``): every programme a combined award
covers, the institution, the level, valid from and until, the certificate number, the issuer
as the edition names it, and the verification address with its QR code (segno, SVG, inline).
Its date is the review's (or ``SOURCE_DATE_EPOCH``), so the same award gives the same bytes.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, time

from markupsafe import Markup

from nums.awards import logo
from nums.awards.credential import AwardFacts
from nums.awards.logo import DESIGNS, OTHER_LEVEL
from nums.render.pdf import Document, render_pdf, render_template, source_date


def qr_svg(address: str) -> Markup:
    import segno

    code = segno.make(address, error="m")
    return Markup(code.svg_inline(scale=4, title=f"Verification address: {address}"))


def certificate_html(facts: AwardFacts, issuer_note: str | None, created: datetime, logo_svg: str) -> str:
    logo_uri = "data:image/svg+xml;base64," + base64.b64encode(logo_svg.encode("utf-8")).decode("ascii")
    return render_template(
        "certificate.html",
        f=facts,
        issuer_note=issuer_note,
        design=DESIGNS.get(facts.level, OTHER_LEVEL),
        qr=qr_svg(facts.page),
        created=created.isoformat(),
        logo=logo_uri,
        logo_alt=logo.description(facts),
    )


def certificate_pdf(facts: AwardFacts, issuer_note: str | None, logo_svg: str) -> bytes:
    """The certificate's PDF bytes, showing the digital logo (``logo_svg``) it goes with; dated by
    the award's issue day, so the same award gives the same bytes."""
    created = source_date(datetime.combine(facts.issued, time(0, 0), tzinfo=UTC))
    html = certificate_html(facts, issuer_note, created, logo_svg)
    return render_pdf(Document(html=html, created=created))

"""The digital logo: an SVG (and a PNG) in the level's design, with the credential baked in.

It says its level, the programme and "valid until DATE" in type legible at 120 px wide (the
smallest text is 12 units of a 160-unit width: 9 px there), and carries a ``<title>`` and
``<desc>`` for screen readers. Baking follows Open Badges 3.0, "Baking": in an SVG, an
``<openbadges:credential verify="JWS">`` element directly after ``<svg>`` (namespace
``https://purl.imsglobal.org/ob/v3p0``); in a PNG, one ``iTXt`` chunk with keyword
``openbadgecredential`` whose text is the compact JWS.

``lines`` is the one place the logo's words are made: verify makes them again from the
credential and compares them with the SVG's text, so a logo whose picture says Gold around a
Bronze credential is not genuine. Pillow is imported only to draw the PNG.
"""

from __future__ import annotations

import re
import struct
import textwrap
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from nums.awards.credential import AwardFacts

OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_KEYWORD = b"openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT = 160, 210  # the SVG's units; 120 px wide is 0.75 px a unit
PNG_SCALE = 3  # the PNG is 480 x 630 px: sharp when a page shows it at 120 to 480 px
PROGRAMME_LINE = 19  # characters of the programme's name on one line (condensed bold at 13 units)
PROGRAMME_LINES = 2
FONT = "'DejaVu Sans Condensed', 'Arial Narrow', 'Liberation Sans Narrow', sans-serif"
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
)
INK = "#1b1b1b"


@dataclass(frozen=True)
class Design:
    """A level's colours: the medallion and the frame; white text reads on each at 4.5:1 or more."""

    fill: str
    ring: str


DESIGNS = {
    "bronze": Design("#7a4a1f", "#b07a45"),
    "silver": Design("#55606e", "#a3acb8"),
    "gold": Design("#7a5c00", "#c9a227"),
}
OTHER_LEVEL = Design("#12355b", "#5b7ea6")  # an edition's level nums has no design for


@dataclass(frozen=True)
class Words:
    """Every word on the logo, with where it goes."""

    scheme: str
    level: str
    accredited: str
    programme: tuple[str, ...]
    until_label: str
    until: str


def lines(facts: AwardFacts) -> Words:
    wrapped = textwrap.wrap(facts.title, PROGRAMME_LINE, break_long_words=True) or [""]
    if len(wrapped) > PROGRAMME_LINES:
        wrapped = wrapped[:PROGRAMME_LINES]
        wrapped[-1] = wrapped[-1][: PROGRAMME_LINE - 1].rstrip() + "…"
    return Words(
        scheme="NUMS",
        level=facts.level_name.upper(),
        accredited="ACCREDITED",
        programme=tuple(wrapped),
        until_label="valid until",
        until=facts.valid_until.isoformat(),
    )


def description(facts: AwardFacts) -> str:
    return (
        f"{facts.level_name} accreditation of the {facts.scheme} for {facts.title}, {facts.institution}, "
        f"valid from {facts.valid_from} until {facts.valid_until}; certificate {facts.number}. "
        f"Check it at {facts.page}"
    )


# (element id, x, y, size, weight, letter-spacing, on the medallion)
_PLACES = {
    "scheme": (80, 46, 12, "bold", 2, True),
    "level": (80, 77, 25, "bold", 1, True),
    "accredited": (80, 96, 12, "bold", 1, True),
    "programme-0": (80, 143, 13, "bold", 0, False),
    "programme-1": (80, 159, 13, "bold", 0, False),
    "until-label": (80, 181, 12, "normal", 0, False),
    "until": (80, 198, 14, "bold", 0, False),
}


def _texts(words: Words) -> list[tuple[str, str]]:
    placed = [("scheme", words.scheme), ("level", words.level), ("accredited", words.accredited)]
    placed += [(f"programme-{i}", line) for i, line in enumerate(words.programme)]
    return [*placed, ("until-label", words.until_label), ("until", words.until)]


def svg(facts: AwardFacts, jws: str) -> str:
    """The logo as SVG text, the credential baked in."""
    design = DESIGNS.get(facts.level, OTHER_LEVEL)
    words = lines(facts)
    title = f"{facts.level_name}: {facts.title} — valid until {facts.valid_until}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB_NAMESPACE}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        'aria-labelledby="logo-title logo-desc">',
        f"<openbadges:credential verify={quoteattr(jws)}></openbadges:credential>",
        f'<title id="logo-title">{escape(title)}</title>',
        f'<desc id="logo-desc">{escape(description(facts))}</desc>',
        f'<rect x="2" y="2" width="{WIDTH - 4}" height="{HEIGHT - 4}" rx="14" fill="#ffffff" '
        f'stroke="{design.fill}" stroke-width="4"/>',
        f'<circle cx="80" cy="68" r="56" fill="{design.ring}"/>',
        f'<circle cx="80" cy="68" r="50" fill="{design.fill}"/>',
        f'<g font-family="{FONT}" text-anchor="middle">',
    ]
    for ident, text in _texts(words):
        x, y, size, weight, spacing, on_medallion = _PLACES[ident]
        colour = "#ffffff" if on_medallion else INK
        parts.append(
            f'<text id="{ident}" x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" '
            f'letter-spacing="{spacing}" fill="{colour}">{escape(text)}</text>'
        )
    parts += ["</g>", "</svg>", ""]
    return "\n".join(parts)


def png(facts: AwardFacts, jws: str) -> bytes:
    """The same design drawn with Pillow, the credential baked in an iTXt chunk."""
    import io

    from PIL import Image, ImageDraw

    design = DESIGNS.get(facts.level, OTHER_LEVEL)
    scale = PNG_SCALE
    image = Image.new("RGBA", (WIDTH * scale, HEIGHT * scale), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (2 * scale, 2 * scale, (WIDTH - 2) * scale, (HEIGHT - 2) * scale),
        radius=14 * scale,
        fill="#ffffff",
        outline=design.fill,
        width=4 * scale,
    )
    for radius, colour in ((56, design.ring), (50, design.fill)):
        draw.ellipse(
            ((80 - radius) * scale, (68 - radius) * scale, (80 + radius) * scale, (68 + radius) * scale),
            fill=colour,
        )
    for ident, text in _texts(lines(facts)):
        x, y, size, weight, spacing, on_medallion = _PLACES[ident]
        font = _font(size * scale, bold=weight == "bold")
        colour = "#ffffff" if on_medallion else INK
        spaced = text if not spacing else "\u200a".join(text)
        draw.text((x * scale, y * scale), spaced, font=font, fill=colour, anchor="ms")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return bake_png(out.getvalue(), jws)


def _font(size: int, bold: bool) -> object:
    from PIL import ImageFont

    files = FONT_FILES if bold else tuple(f.replace("-Bold", "") for f in FONT_FILES)
    for path in files:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bake_png(data: bytes, jws: str) -> bytes:
    """``data`` with one ``openbadgecredential`` iTXt chunk before IEND (uncompressed, no language)."""
    chunks = list(png_chunks(data))
    if any(kind == b"iTXt" and body.startswith(PNG_KEYWORD + b"\0") for kind, body in chunks):
        raise ValueError("the PNG already holds a credential")
    text = PNG_KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + jws.encode("ascii")
    out = [PNG_SIGNATURE]
    for kind, body in chunks:
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", text))
        out.append(_chunk(kind, body))
    return b"".join(out)


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The chunks of a PNG, checked as far as reading them needs (length, CRC, IEND)."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length] or b"\0\0\0\0")
        if len(body) != length or zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError(f"the PNG's {kind.decode('latin-1')} chunk is damaged")
        chunks.append((kind, body))
        at += 12 + length
        if kind == b"IEND":
            return chunks
    raise ValueError("the PNG ends before its IEND chunk")


def png_credential(data: bytes) -> str:
    """The baked credential's text; ValueError when there is none, or more than one."""
    found = []
    for kind, body in png_chunks(data):
        if kind == b"iTXt" and body.startswith(PNG_KEYWORD + b"\0"):
            rest = body[len(PNG_KEYWORD) + 1 :]
            compressed, _method = rest[0], rest[1]
            _language, _, rest = rest[2:].partition(b"\0")
            _translated, _, text = rest.partition(b"\0")
            found.append(zlib.decompress(text) if compressed else text)
    if len(found) != 1:
        raise ValueError(
            "the PNG holds no credential" if not found else "the PNG holds more than one credential"
        )
    return found[0].decode("utf-8").strip()


_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def svg_parts(data: bytes) -> tuple[str, dict[str, str]]:
    """The baked credential of an SVG and its text elements by id; ValueError for an SVG that
    has none, more than one, or declares entities (never expanded)."""
    import xml.etree.ElementTree as ElementTree

    if _DOCTYPE.search(data):
        raise ValueError("the SVG declares a DOCTYPE or entities, which a logo never does")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ValueError(f"the SVG is not well-formed XML ({exc})") from None
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        raise ValueError("not an SVG image")
    baked = root.findall(f"{{{OB_NAMESPACE}}}credential")
    if len(baked) != 1 or len(root.findall(f".//{{{OB_NAMESPACE}}}credential")) != 1:
        raise ValueError(
            "the SVG holds no credential" if not baked else "the SVG holds more than one credential"
        )
    jws = baked[0].get("verify") or (baked[0].text or "")
    texts = {
        element.get("id", ""): "".join(element.itertext())
        for element in root.iter("{http://www.w3.org/2000/svg}text")
    }
    return jws.strip(), texts


def expected_texts(facts: AwardFacts) -> dict[str, str]:
    return dict(_texts(lines(facts)))

"""The programme page's criteria, rendered once per content and kept (bounded LRUs, ``nums.lru``).

A programme page is seven pillars of some seventy criterion blocks (the claim, its statement, its
evidence, what the standard says about it), and rendering them was most of the page's cost. Each
part is a pure function of what it is rendered from, and is kept by exactly that, at three sizes:

- ``pillars_section``: all the pillars of a page showing its file as it is, keyed by the file's
  SHA-256 (which stands for the document parsed from it), the claims' statuses and reasons, the
  messages shown, the evidence files pending, the edition and the programme's id;
- ``pillar_block``: one pillar, keyed by its self-rating and, for each of its items, the claim as
  written, its status and its messages (so after a save of one criterion six pillars are kept);
- ``criterion_block``: one criterion, keyed the same way for that item alone.

Nothing is keyed by a time or a file's date, so a save cannot leave a stale page behind: the new
words are a new key (and a claim whose evidence vanished on disk has a new status, a new key).
Two workers each keep their own; being keyed by content, they agree. The cache is invisible: a
page rendered with it is byte-identical to one rendered without it (tests/test_site_speed_cache.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from markupsafe import Markup

from nums.lru import Kept
from nums.web.form import claim_of

BLOCKS_KEPT = 4096
"""Criterion blocks kept per worker (some 2.5 kB each, so at most about 20 MB): the seventy items
of some sixty programmes; the least recently used go first."""


BLOCKS: Kept[tuple[object, Markup]] = Kept(BLOCKS_KEPT)
"""Each block with the edition whose ``id()`` is in its key: kept with it, so that the id cannot
be reused by another edition while the entry lives."""


def _status_key(status: Any) -> Hashable:
    """What ``_claim.html`` shows of a claim's result: its status and reasons."""
    return None if status is None else (status.status, tuple(status.reasons))


def requests_key(requests: Mapping[str, Any], targets: Any) -> Hashable:
    """What ``_claim.html`` shows of the site's requests for evidence on ``targets`` (the
    assessor's words, the due day, whether answered or closed, the note): each as its ``repr``,
    the JSON-like facts ``journey.beside_criteria`` gives."""
    return tuple((target, repr(requests[target])) for target in targets if target in requests)


def _journey(requests: Mapping[str, Any], targets: Any) -> dict[str, Any] | None:
    """The ``journey`` ``_claim.html`` reads, with only the requests of ``targets`` (None: none)."""
    shown = {target: requests[target] for target in targets if target in requests}
    return {"requests": shown} if shown else None


def block_key(
    edition: Any,
    item: Any,
    programme_id: str,
    claim: Any,
    status: Any,
    messages: Any,
    pending: Any,
    requests: Mapping[str, Any] | None = None,
) -> Hashable:
    """Everything a criterion block is rendered from. The claim enters as its ``repr``: the
    file's parsed YAML (dicts, lists, strings, numbers, dates), whose ``repr`` tells apart any
    two claims that render differently (``True`` and ``'True'``, ``1`` and ``'1'``)."""
    return (
        id(edition),
        item.id,
        programme_id,
        repr(claim),
        _status_key(status),
        tuple(messages or ()),
        frozenset(pending or ()),
        requests_key(requests or {}, (item.id,)),
    )


def criterion_block(
    render: Any,
    edition: Any,
    item: Any,
    programme_id: str,
    claim: Mapping[str, Any],
    status: Any,
    errors: Mapping[str, list[str]],
    pending: Any,
    requests: Mapping[str, Any] | None = None,
) -> Markup:
    """The block of ``item`` (``_criterion.html`` through ``render``), from the cache when the
    same content was rendered before. ``requests``: the site's requests for evidence by
    criterion (shown inside the block; none under ``nums serve``)."""
    messages = errors.get(f"c.{item.id}")
    key = block_key(edition, item, programme_id, claim, status, messages, pending, requests)
    found = BLOCKS.get(key)
    if found is not None:
        return found[1]
    block = Markup(
        render(
            ed=edition,
            item=item,
            id=programme_id,
            claim=claim,
            status=status,
            errors={f"c.{item.id}": messages} if messages else {},
            pending=pending,
            journey=_journey(requests or {}, (item.id,)),
        )
    )
    BLOCKS.put(key, (edition, block))
    return block


PILLARS_KEPT = 512
"""Pillar sections kept per worker (some 25 kB each, at most about 25 MB): the seven of some
seventy programmes."""

PILLARS: Kept[tuple[object, Markup]] = Kept(PILLARS_KEPT)


def pillar_key(
    edition: Any,
    pillar: Any,
    programme_id: str,
    rating: Any,
    document: Mapping[str, Any],
    statuses: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    pending: Any,
    requests: Mapping[str, Any] | None = None,
) -> Hashable:
    """Everything one pillar's section is rendered from: its self-rating and its messages, and
    for each of its items what the item's block is keyed by (``block_key``)."""
    return (
        id(edition),
        pillar.id,
        programme_id,
        repr(rating),
        tuple(errors.get(f"self_rating.{pillar.id}") or ()),
        tuple(
            (
                item.id,
                repr(claim_of(document, item.id)),
                _status_key(statuses.get(item.id)),
                tuple(errors.get(f"c.{item.id}") or ()),
            )
            for item in pillar.items
        ),
        frozenset(pending or ()),
        requests_key(requests or {}, [item.id for item in pillar.items]),
    )


def pillar_block(
    render: Any,
    edition: Any,
    pillar: Any,
    programme_id: str,
    rating: Any,
    document: Mapping[str, Any],
    statuses: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    pending: Any,
    requests: Mapping[str, Any] | None = None,
) -> Markup:
    """One pillar's section (``_pillar.html`` through ``render``), kept by its content: after a
    save that changed one criterion, the other pillars come from here."""
    key = pillar_key(edition, pillar, programme_id, rating, document, statuses, errors, pending, requests)
    found = PILLARS.get(key)
    if found is not None:
        return found[1]
    section = Markup(
        render(
            ed=edition,
            pillar=pillar,
            id=programme_id,
            rating=rating,
            doc=document,
            statuses=statuses,
            errors=errors,
            pending=pending,
            requests=requests or {},
        )
    )
    PILLARS.put(key, (edition, section))
    return section


SECTIONS_KEPT = 64
"""A programme's pillars whole, kept per worker (some 180 kB each, at most about 25 MB)."""

SECTIONS: Kept[tuple[object, Markup]] = Kept(SECTIONS_KEPT)


def section_key(
    edition: Any,
    programme_id: str,
    sha256: str,
    statuses: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    pending: Any,
    requests: Mapping[str, Any] | None = None,
) -> Hashable:
    """Everything the pillars of a page shown from its file are rendered from: the file's hash
    stands for the document parsed from it (its claims and self-ratings)."""
    return (
        id(edition),
        programme_id,
        sha256,
        tuple((target, _status_key(status)) for target, status in statuses.items()),
        tuple((field, tuple(messages)) for field, messages in errors.items()),
        frozenset(pending or ()),
        requests_key(requests or {}, sorted(requests or {})),
    )


def pillars_section(
    render: Any,
    edition: Any,
    programme_id: str,
    document: Mapping[str, Any],
    sha256: str | None,
    statuses: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    pending: Any,
    requests: Mapping[str, Any] | None = None,
) -> Markup:
    """The pillars of the programme form (``_pillars.html`` through ``render``). Kept whole when
    the page shows the file as it is (``sha256`` is its hash); a document from a posted form
    (``sha256`` None) is rendered each time, its criteria still from the block cache."""

    def rendered() -> Markup:
        return Markup(
            render(
                ed=edition,
                id=programme_id,
                doc=document,
                statuses=statuses,
                errors=errors,
                pending=pending,
                requests=requests or {},
            )
        )

    if sha256 is None:
        return rendered()
    key = section_key(edition, programme_id, sha256, statuses, errors, pending, requests)
    found = SECTIONS.get(key)
    if found is not None:
        return found[1]
    section = rendered()
    SECTIONS.put(key, (edition, section))
    return section

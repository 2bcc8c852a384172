"""Renderers, one module per thing rendered: ``assessment``, ``review``, ``quote``,
``portfolio``, ``calendar`` (renewals as iCalendar) and ``edition`` each hold that thing's
JSON and terminal text; a thing's PDF is ``<thing>_pdf`` beside it (the outcome letter is
``letter_pdf``), kept apart so that text and JSON never import WeasyPrint. Shared:
``terminal`` (what every terminal report is built from), ``pdf`` (HTML to PDF) and ``wheel``
(the SVG wheel).

Importing this package must stay cheap: WeasyPrint is imported only inside
the PDF writer, when a PDF is actually written.
"""

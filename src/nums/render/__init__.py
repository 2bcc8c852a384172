"""Renderers: terminal text, JSON records, and HTML/PDF (in ``nums.render.pdf``).

Importing this package must stay cheap: WeasyPrint is imported only inside
the PDF writer, when a PDF is actually written.
"""

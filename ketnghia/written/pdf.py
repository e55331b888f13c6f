"""A written report (outline.Document) as a PDF: the HTML of templates/written/report.html,
laid out by WeasyPrint in the same layout as the .docx (docx.py), in Liberation Serif (Debian's
fonts-liberation2: Times New Roman's metrics, every Vietnamese letter), embedded. Nothing is
fetched: the photos are in the HTML itself."""

from django.template.loader import render_to_string
from django.utils import translation


def render(doc):
    """The PDF of a Document, as bytes, in the Document's language."""
    from weasyprint import HTML, URLFetcher  # Pango is loaded only by those who make a PDF

    with translation.override(doc.language):
        html = render_to_string("written/report.html", {"doc": doc})
    # The photos are data: addresses; nothing else is ever fetched.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()

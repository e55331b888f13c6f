"""Uploaded legal documents (LegalDocument.file) checked by what they hold, not only by their
name: a file named .pdf must be a PDF, a .docx or .odt a word-processing archive, a .doc an
OLE2 document; none may carry macros or scripts, and an archive may not unpack to more than
MAX_UNPACKED bytes. Each refusal is told at the field, in the user's language.

The checks read the file's bytes as they are stored (no parser runs the document): a PDF's
/JavaScript or /Launch actions outside its streams, an Office file's VBA project, an
OpenDocument's Basic or Scripts folder. A script hidden in a compressed PDF object stream gets
past the PDF check; the files are served with a Content-Security-Policy that runs nothing
(deploy/nginx). Only a file being uploaded is checked: one stored already was checked then.
"""

import io
import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_UNPACKED = 100 * 1024 * 1024  # bytes an archive (DOCX, ODT) may unpack to
MAX_MEMBERS = 2000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A PDF's names for scripts, programs to launch and files inside it, as whole names.
PDF_ACTIONS = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)(?![A-Za-z0-9])")
PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
ODT_TYPE = b"application/vnd.oasis.opendocument.text"
# The storage that holds a .doc's macros (OLE2 directory entries are named in UTF-16).
DOC_MACROS = "_VBA_PROJECT".encode("utf-16-le")


def validate_document(file):
    """The model field's validator: raises ValidationError for a file that is not what its name
    says, carries macros or scripts, or is too large."""
    if getattr(file, "_committed", False):
        return  # a file stored already (an edit of the document's other fields): checked then
    limit = settings.DOCUMENT_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    check = {"pdf": _pdf, "docx": _docx, "odt": _odt, "doc": _doc}.get(extension)
    if check is None:
        return  # the extension validator tells which names are taken
    file.seek(0)
    data = file.read()
    file.seek(0)
    check(data)


def _not_a(kind):
    return ValidationError(
        _("This file is not a %(kind)s document, whatever its name says.") % {"kind": kind},
        code="not_what_it_says",
    )


def _active():
    return ValidationError(
        _("This document carries macros or scripts: save it without them (or as a PDF)."),
        code="active_content",
    )


def _pdf(data):
    if not data.startswith(b"%PDF-"):
        raise _not_a("PDF")
    # The names are looked for in the document's structure, not inside its streams (pages,
    # images, fonts), whose compressed bytes would match them by chance.
    if PDF_ACTIONS.search(PDF_STREAM.sub(b"", data)):
        raise _active()


def _archive(data, kind):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _not_a(kind) from error
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise ValidationError(
            _("This archive unpacks to too much data to be a document."), code="too_large"
        )
    return archive, {m.filename for m in members}


def _docx(data):
    archive, names = _archive(data, "DOCX")
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise _not_a("DOCX")
    types = archive.read("[Content_Types].xml")
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in types:
        raise _active()


def _odt(data):
    archive, names = _archive(data, "ODT")
    if "mimetype" not in names or archive.read("mimetype").strip() != ODT_TYPE:
        raise _not_a("ODT")
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        raise _active()


def _doc(data):
    if not data.startswith(OLE2):
        raise _not_a("DOC")
    if DOC_MACROS in data:
        raise _active()

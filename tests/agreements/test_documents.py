"""Legal documents checked by what they hold (agreements/documents.py), at the field."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.documents import OLE2, validate_document

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n"


def archive(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


DOCX = {
    "[Content_Types].xml": b'<Types><Default Extension="xml" ContentType="text/xml"/></Types>',
    "word/document.xml": "<w:document>Kế hoạch kết nghĩa</w:document>".encode(),
}
ODT = {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
DOC = OLE2 + b"\x00" * 504 + "Kế hoạch".encode("utf-16-le")


def check(name, data):
    """The messages refusing the file, [] when it is taken."""
    try:
        validate_document(SimpleUploadedFile(name, data))
    except ValidationError as refused:
        return refused.messages
    return []


def refusal(name, data):
    with pytest.raises(ValidationError) as refused:
        validate_document(SimpleUploadedFile(name, data))
    return refused.value.code, refused.value.messages[0]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ke-hoach.pdf", PDF),
        ("ke-hoach.docx", archive(DOCX)),
        ("ke-hoach.odt", archive(ODT)),
        ("ke-hoach.doc", DOC),
    ],
)
def test_a_document_that_is_what_its_name_says_is_taken(name, data):
    assert check(name, data) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ke-hoach.pdf", b"<html><script>alert(1)</script></html>"),
        ("ke-hoach.pdf", archive(DOCX)),
        ("ke-hoach.docx", PDF),
        ("ke-hoach.docx", archive({"word/document.xml": b"<w/>"})),
        ("ke-hoach.odt", archive({"mimetype": b"application/zip"})),
        ("ke-hoach.odt", b"not an archive"),
        ("ke-hoach.doc", b"MZ\x90\x00 a program"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(name, data):
    code, message = refusal(name, data)
    assert code == "not_what_it_says"
    assert "không phải" in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ke-hoach.pdf", PDF + b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        ("ke-hoach.pdf", PDF + b"<< /S /Launch /F (cmd.exe) >>"),
        ("ke-hoach.docx", archive({**DOCX, "word/vbaProject.bin": b"\x00"})),
        (
            "ke-hoach.docx",
            archive(
                {
                    **DOCX,
                    "[Content_Types].xml": b"<Types><Override ContentType="
                    b'"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
                }
            ),
        ),
        ("ke-hoach.odt", archive({**ODT, "Basic/Standard/Module1.xml": b"<script/>"})),
        ("ke-hoach.doc", DOC + "_VBA_PROJECT".encode("utf-16-le")),
    ],
)
def test_a_document_with_macros_or_scripts_is_refused(name, data):
    code, message = refusal(name, data)
    assert code == "active_content"
    assert "macro" in message


def test_a_pdf_naming_json_is_no_script():
    assert check("ke-hoach.pdf", PDF + b"<< /JSON 1 >>") == []


def test_bytes_inside_a_pdfs_streams_are_no_script():
    """A page's or an image's compressed bytes may hold "/JS" by chance."""
    stream = b"4 0 obj << /Length 9 >>\nstream\nx\x9c/JS)\xff\nendstream\nendobj\n"
    assert check("ke-hoach.pdf", PDF + stream) == []
    # The same bytes outside a stream are a script's name.
    assert check("ke-hoach.pdf", PDF + b"<< /S /JS)\xff >>") != []


def test_an_archive_that_unpacks_to_too_much_is_refused():
    bomb = archive({**DOCX, "word/media/zeros.bin": b"\x00" * (101 * 1024 * 1024)})
    assert refusal("ke-hoach.docx", bomb)[0] == "too_large"


def test_a_document_too_large_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    code, message = refusal("ke-hoach.pdf", PDF + b" " * 1000)
    assert code == "too_large"
    assert "1000" in message or "KB" in message or "byte" in message


@pytest.mark.django_db
def test_the_admin_tells_the_refusal_at_the_field(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = admin_client.post(
        "/admin/agreements/legaldocument/add/",
        {
            "number": "01/KH-UBND",
            "kind": "plan",
            "title": "Kế hoạch kết nghĩa",
            "issuer": "UBND tỉnh",
            "issued_on": "01/01/2025",
            "slug": "01-kh-ubnd",
            "file": SimpleUploadedFile("ke-hoach.pdf", b"<html>not a pdf</html>"),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "không phải" in errors["file"][0]
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.mark.django_db
def test_a_stored_document_is_not_checked_again_when_the_record_is_edited(settings, tmp_path):
    from agreements.models import LegalDocument

    settings.MEDIA_ROOT = tmp_path
    document = LegalDocument(
        number="02/KH-UBND",
        kind="plan",
        title="Kế hoạch",
        issuer="UBND tỉnh",
        issued_on="2025-01-01",
        slug="02-kh-ubnd",
        file="legal/stored-before.pdf",  # stored, and since gone from the disk
    )
    document.full_clean()  # no FileNotFoundError, no refusal
    document.save()
    assert LegalDocument.objects.get(slug="02-kh-ubnd").file.name == "legal/stored-before.pdf"

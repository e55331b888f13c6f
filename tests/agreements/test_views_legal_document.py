"""/van-ban/<slug>/: a legal document and the published agreements signed under it."""

import datetime

import pytest
from django.utils.translation import gettext, ngettext

from agreements.models import LegalDocument, LegalDocumentKind
from tests import factories

pytestmark = pytest.mark.django_db


def titles(response):
    return [agreement.title for agreement in response.context["page_obj"].object_list]


def document(**fields):
    fields = {
        "number": "03-CT/TU",
        "kind": LegalDocumentKind.DIRECTIVE,
        "title": "Chỉ thị về tăng cường hoạt động kết nghĩa",
        "issuer": "Ban Thường vụ Tỉnh ủy Gia Lai",
        "issued_on": datetime.date(2025, 8, 7),
        "slug": "03-ct-tu-2025",
        **fields,
    }
    return LegalDocument.objects.create(**fields)


@pytest.mark.usefixtures("demo")
class TestDemoDocuments:
    def test_the_directive_and_its_agreements(self, client):
        response = client.get("/van-ban/03-ct-tu-2025/")
        assert response.status_code == 200
        content = response.content.decode()
        assert "03-CT/TU" in content
        assert "Ban Thường vụ Tỉnh ủy Gia Lai" in content
        assert str(LegalDocumentKind.DIRECTIVE.label) in content
        assert '<time datetime="2025-08-07">7/8/2025</time>' in content
        assert titles(response) == [
            "Phường An Nhơn Bắc – Làng Ghè",
            "Xã Ia Dơk – Phường An Nhơn Bắc",
        ]
        assert 'href="/giao-uoc/xa-ia-dok-phuong-an-nhon-bac-2025/"' in content

    def test_the_agreement_page_links_here(self, client):
        content = client.get("/giao-uoc/xa-ia-dok-phuong-an-nhon-bac-2025/").content.decode()
        assert 'href="/van-ban/43-kh-ubnd-2025/"' in content


def test_an_unknown_slug_is_a_404(client):
    assert client.get("/van-ban/khong-co/").status_code == 404


def test_drafts_are_neither_listed_nor_counted(client):
    directive = document()
    published = factories.agreement(title="Đã công bố", published=True)
    draft = factories.agreement(title="Bản nháp chưa duyệt")
    published.legal_basis.add(directive)
    draft.legal_basis.add(directive)
    response = client.get(f"/van-ban/{directive.slug}/")
    content = response.content.decode()
    assert titles(response) == ["Đã công bố"]
    assert "Bản nháp chưa duyệt" not in content
    heading = ngettext(
        "%(counter)s agreement signed under this document",
        "%(counter)s agreements signed under this document",
        1,
    ) % {"counter": 1}
    assert heading in content


def test_a_document_no_agreement_cites_yet(client):
    directive = document(summary="Tăng cường hoạt động kết nghĩa.", url="https://example.org/03")
    response = client.get(f"/van-ban/{directive.slug}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert gettext("No published agreement cites this document yet.") in content
    assert "Tăng cường hoạt động kết nghĩa." in content
    assert 'href="https://example.org/03"' in content


def test_bad_page_numbers(client):
    directive = document()
    for _ in range(21):
        factories.agreement(published=True).legal_basis.add(directive)
    url = f"/van-ban/{directive.slug}/"
    assert len(titles(client.get(url))) == 20
    assert client.get(url, {"page": "abc"}).context["page_obj"].number == 1
    last = client.get(url, {"page": "999999"})
    assert last.status_code == 200
    assert last.context["page_obj"].number == 2
    assert len(titles(last)) == 1


@pytest.mark.parametrize("scale", [1, 20])
def test_a_fixed_number_of_queries(client, django_assert_num_queries, scale):
    """The document, the count, the page of agreements, their parties: four queries."""
    directive = document()
    for _ in range(scale):
        agreement = factories.agreement(
            factories.locality(), factories.locality(), factories.locality(), published=True
        )
        agreement.legal_basis.add(directive)
        factories.activity(agreement)
    with django_assert_num_queries(4):
        response = client.get(f"/van-ban/{directive.slug}/")
    assert response.status_code == 200
    assert len(titles(response)) == scale

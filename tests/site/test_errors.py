"""The 404 and 500 pages, in the site's style."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.urls import path
from django.utils.translation import gettext, override

from ketnghia import urls as site_urls

pytestmark = pytest.mark.django_db


def failing_view(request):
    raise RuntimeError("boom: a secret detail")


# The site's URLs plus a page that fails, at /boom/ and /en/boom/ (@pytest.mark.urls(__name__)).
urlpatterns = [
    *i18n_patterns(path("boom/", failing_view), prefix_default_language=False),
    *site_urls.urlpatterns,
]
handler500 = site_urls.handler500


def test_an_unknown_address_gives_the_404_page_in_vietnamese(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert 'class="site-header"' in content  # base.html
    assert gettext("Page not found") in content
    assert '<meta name="robots" content="noindex">' in content
    # A search box for the agreements, and the way home.
    assert 'action="/giao-uoc/"' in content
    assert 'id="not-found-q"' in content
    assert 'href="/"' in content


def test_an_unknown_address_under_en_gives_the_404_page_in_english(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="en">' in content
    with override("en"):
        assert gettext("Page not found") in content
    assert 'action="/en/giao-uoc/"' in content
    assert 'href="/en/"' in content


def test_an_unknown_agreement_gives_the_404_page(client):
    response = client.get("/giao-uoc/khong-co-giao-uoc-nay/")
    assert response.status_code == 404
    assert 'id="not-found-q"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_failing_page_gives_the_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert gettext("Something went wrong") in content
    assert 'href="/static/ketnghia/site.css"' in content
    assert 'href="/"' in content
    assert "secret detail" not in content


@pytest.mark.urls(__name__)
def test_the_500_page_follows_the_language_of_the_address(client):
    client.raise_request_exception = False
    response = client.get("/en/boom/")
    assert response.status_code == 500
    content = response.content.decode()
    assert '<html lang="en">' in content
    with override("en"):
        assert gettext("Something went wrong") in content
    assert 'href="/en/"' in content


def test_the_500_page_renders_with_an_empty_context():
    """Django renders it so: without a request, context processors or the URL configuration."""
    from django.template import loader

    content = loader.get_template("500.html").render()
    assert "<title>" in content
    assert "site.css" in content


def test_a_record_out_of_reach_in_the_admin_says_so_and_leads_back(admin_client):
    response = admin_client.get("/admin/agreements/agreement/999999/change/")
    assert response.status_code == 404
    content = response.content.decode()
    assert (
        gettext("This record does not exist, or it is outside the localities in your charge.")
        in content
    )
    assert 'href="/admin/"' in content


def test_a_large_anonymous_post_is_refused_before_it_is_read(client):
    response = client.generic(
        "POST", "/admin/login/", b"", CONTENT_TYPE="text/plain", CONTENT_LENGTH=50 * 1024 * 1024
    )
    assert response.status_code == 413
    assert "quá lớn" in response.content.decode()


def test_a_login_form_is_far_below_the_anonymous_limit(client, settings):
    body = "username=quantri&password=" + "x" * 1000
    response = client.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code != 413
    assert len(body) < settings.ANONYMOUS_REQUEST_MAX_BYTES


def test_staff_send_a_photo_and_its_form_but_not_more(admin_client, settings):
    too_large = settings.REQUEST_MAX_BYTES + 1
    response = admin_client.generic(
        "POST", "/admin/agreements/photo/add/", b"", CONTENT_LENGTH=too_large
    )
    assert response.status_code == 413
    assert settings.REQUEST_MAX_BYTES > settings.PHOTO_MAX_BYTES + 1024 * 1024  # and its form

"""Cache-Control for each kind of answer (ketnghia/middleware.py)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from ketnghia.middleware import CacheHeadersMiddleware
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=300"
PRIVATE = "private, no-cache"


def test_a_public_page_for_an_anonymous_visitor_is_cached_five_minutes(client):
    for path in ("/", "/en/", "/giao-uoc/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == PUBLIC, path


def test_a_head_request_is_cached_like_the_get(client):
    response = client.head("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == PUBLIC


def test_a_published_agreement_is_cached(client):
    agreement = factories.agreement(published=True)
    response = client.get(f"/giao-uoc/{agreement.slug}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == PUBLIC


def test_a_signed_in_user_gets_private_pages(admin_client):
    response = admin_client.get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_a_visitor_with_a_session_cookie_gets_private_pages(client, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    assert client.get("/")["Cache-Control"] == PRIVATE


def test_the_admin_is_never_cached(admin_client, client):
    for response in (admin_client.get("/admin/"), client.get("/admin/login/")):
        cache_control = response["Cache-Control"]
        assert "private" in cache_control
        assert "no-cache" in cache_control
        assert "public" not in cache_control


def test_a_404_is_not_cached(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.urls("tests.site.test_errors")  # the site's URLs and /boom/, which fails
def test_a_500_is_not_cached(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert response["Cache-Control"] == PRIVATE


def test_a_redirect_is_not_cached(client):
    response = client.get("/giao-uoc")  # APPEND_SLASH
    assert response.status_code == 301
    assert "public" not in response.get("Cache-Control", "")


def test_healthz_stays_never_cache(client):
    cache_control = client.get("/healthz")["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control
    assert "public" not in cache_control


@pytest.mark.parametrize(
    "path", ["/api/v1/agreements/", "/api/schema/", "/du-lieu/agreements.csv", "/robots.txt"]
)
def test_downloads_and_the_api_keep_what_their_views_set(client, admin_user, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 200
    assert anonymous.has_header("Cache-Control")
    # Not touched by the middleware, even for someone signed in: the data is the same for all.
    client.force_login(admin_user)
    assert client.get(path)["Cache-Control"] == anonymous["Cache-Control"]


# The middleware alone, for the cases no page of the site produces yet.


def run(response, method="GET", cookies=None):
    request = getattr(RequestFactory(), method.lower())("/")
    request.COOKIES.update(cookies or {})
    return CacheHeadersMiddleware(lambda request: response)(request)


def html(status=200):
    return HttpResponse("<!DOCTYPE html><title>x</title>", status=status)


def test_a_post_is_private():
    assert run(html(), method="POST")["Cache-Control"] == PRIVATE


def test_what_the_view_set_is_kept():
    response = html()
    response["Cache-Control"] = "public, max-age=3600"
    assert run(response)["Cache-Control"] == "public, max-age=3600"


def test_a_download_without_cache_control_is_left_alone():
    response = HttpResponse(b"a,b\n", content_type="text/csv")
    assert not run(response).has_header("Cache-Control")
    response = HttpResponse(b"{}", content_type="application/json")
    assert not run(response).has_header("Cache-Control")


def test_a_page_that_sets_a_cookie_is_private():
    response = html()
    response.set_cookie("csrftoken", "x")
    assert run(response)["Cache-Control"] == PRIVATE


def test_a_page_that_varies_with_cookies_is_private():
    response = html()
    response["Vary"] = "Cookie"
    assert run(response)["Cache-Control"] == PRIVATE

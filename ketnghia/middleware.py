"""Cache-Control for the site's HTML pages.

The policy, for every response whose view did not set Cache-Control itself:

- A public page: a GET or HEAD for an HTML page outside the admin, answered 200, to a visitor
  who carries no session cookie, with no cookie set and no ``Vary: Cookie`` in the answer, gets
  ``Cache-Control: public, max-age=300``. Browsers and shared caches (a CDN, a proxy) may keep it
  five minutes: a published correction shows within five minutes everywhere.
- Every other HTML answer gets ``Cache-Control: private, no-cache``: a page seen by someone who
  may be signed in (a session cookie is how we know, without touching the database), the admin,
  an answer to a POST, a redirect, a 404 or a 500, an answer that sets a cookie or varies with
  cookies. No shared cache keeps it, and a browser asks again before reusing it.

Left exactly as the view set them: any response that already has Cache-Control (/healthz and the
admin are ``never_cache``; the downloads, the API, the sitemap and robots.txt choose their own),
and any non-HTML response without one (files, JSON), which the views own.
"""

import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import has_vary_header, patch_cache_control
from django.utils.translation import gettext as _

PUBLIC_MAX_AGE = 300


class CacheHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control") or not _is_html(response):
            return response
        if _is_public(request, response):
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response


def _is_html(response):
    return response.get("Content-Type", "").split(";")[0].strip() == "text/html"


def _is_public(request, response):
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not _is_admin(request)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not response.cookies
        and not has_vary_header(response, "Cookie")
    )


def _is_admin(request):
    # /admin/ and /en/admin/ alike; the admin's own views are never_cache already.
    match = getattr(request, "resolver_match", None)
    return match is not None and "admin" in match.namespaces


class AdminInlineStylesMiddleware:
    """Django's admin sets style="" attributes; the public site has none.

    So the Content-Security-Policy allows inline styles on admin pages only (django-csp reads
    the response's _csp_update), and a regression on a public page shows as a CSP error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and "admin" in match.namespaces:
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response


# C0 control characters other than tab, line feed and carriage return: no address, parameter
# name or value of this site holds one, and PostgreSQL refuses NUL in text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RefuseControlCharactersMiddleware:
    """400 for an address or a query parameter with a control character (``?locality=%00``),
    before any view reads it: a view that reads parameters itself, not through a form field
    (which refuses NUL at the field), never sees one. Form posts are left to their forms."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if CONTROL_CHARACTERS.search(request.path) or any(
            CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
            for key, values in query.lists()
        ):
            return HttpResponseBadRequest(
                _("This address holds a control character, which no address of this site holds."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


# The addresses other sites may load from theirs (the open data is there to be reused).
OPEN_PREFIXES = ("/api/", "/du-lieu/", "/en/du-lieu/")


class CrossOriginResourcePolicyMiddleware:
    """Cross-Origin-Resource-Policy: same-origin (another site cannot embed this one's pages,
    photos or documents), cross-origin for the open data and the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = "cross-origin" if request.path.startswith(OPEN_PREFIXES) else "same-origin"
        response.headers.setdefault("Cross-Origin-Resource-Policy", policy)
        return response


class RequestSizeMiddleware:
    """413 for a request whose body is larger than the site takes, told by its Content-Length
    before a byte of it is read: REQUEST_MAX_BYTES for staff (a photo or a document and its
    form), ANONYMOUS_REQUEST_MAX_BYTES for a visitor without a session (a login form, a
    language choice). nginx refuses larger bodies still at its own limit (deploy/nginx)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        limit = settings.REQUEST_MAX_BYTES if signed_in else settings.ANONYMOUS_REQUEST_MAX_BYTES
        if length > limit:
            return HttpResponse(
                _("This request is too large for this site."),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

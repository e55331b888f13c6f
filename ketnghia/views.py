import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from agreements.models import Agreement
from ketnghia.pagecache import cached_page
from ketnghia.queries import home_page

logger = logging.getLogger(__name__)


@require_safe
@cached_page
def home(request):
    return render(request, "home.html", {"page": home_page()})


@require_safe
def about(request):
    """What the site is and how many agreements it publishes: one query, made for every
    request (the base that `make bench` measures the other pages against)."""
    published = Agreement.objects.published().count()
    return render(request, "about.html", {"published_agreements": published})


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers and uptime checks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def favicon(request):
    """The icon's hashed address is known only once static files are collected: ask at runtime."""
    return HttpResponsePermanentRedirect(static("ketnghia/favicon.svg"))

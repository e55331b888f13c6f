import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.http import require_safe

from agreements.models import Agreement
from ketnghia.pagecache import cached_page
from ketnghia.queries import home_page


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


@require_safe
def favicon(request):
    """The icon's hashed address is known only once static files are collected: ask at runtime."""
    return HttpResponsePermanentRedirect(static("ketnghia/favicon.svg"))


# Seconds a client is asked to wait before trying again when the database does not answer.
RETRY_AFTER = 30


def server_error(request):
    """Django's 500 page, or, when the database does not answer (it is down, restarting or out
    of connections), a 503 page that says so, rendered without it."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    template = loader.get_template("503.html")
    response = HttpResponse(template.render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response

"""Public pages kept whole in the shared cache until the data they show changes.

A page's key holds the data's *generation*: a number in the cache that every write to the
registers changes (any model of the localities, agreements and activities apps, through its
signals, and the commands that write in bulk: rebuild_summaries, import_units). A write makes
every page made before it unreachable at once; the old entries expire on their own. The key
holds as well the language, the day (anniversaries and "in force" follow the calendar), the
static files' manifest (a deployment renames them) and the address, host included.

Only answers that are the same for every visitor are kept: a GET or HEAD without a session
cookie (someone signed in may see drafts), answered 200 with nothing private, no cookie set and
no session or CSRF token read. Everyone else gets the page computed, as without this module.

The generation changes twice for a write: at once, so that the writing transaction reads its
own pages afresh, and again after the commit, so that a page another request made from the
data of before the commit, in between, is not kept.
"""

import functools
import hashlib
import time

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language

GENERATION_KEY = "ketnghia:data-generation"
KEY_PREFIX = "ketnghia:page"
# The apps whose data the public pages show: a write to any of their models changes the
# generation, but for rows derived from the others (rebuilt in bulk, with a delete that must
# stay one statement: a receiver would make Django load every row to send it a signal).
APPS = ("localities", "agreements", "activities")
DERIVED = {"activities.activitysummary"}


def generation():
    """The data's generation. A missing one (an emptied cache) starts from the clock, so that
    it never repeats a number that pages were kept under before."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return value


def _next_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (an emptied cache)
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def data_changed(using=None, **kwargs):
    """The data changed (a signal receiver; call it after a bulk write too)."""
    _next_generation()
    connection = transaction.get_connection(using)
    # Once for a transaction, however many rows it writes.
    if not any(callback is _next_generation for _, callback, *_ in connection.run_on_commit):
        transaction.on_commit(_next_generation, using=using)


def connect():
    """Every model of APPS changes the generation when saved or deleted (KetnghiaConfig.ready)."""
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in DERIVED:
                continue
            uid = f"ketnghia.pagecache.{model._meta.label_lower}"
            post_save.connect(data_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(data_changed, sender=model, dispatch_uid=f"{uid}.delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    data_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}.m2m"
                )


def _is_cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _is_cacheable_response(request, response):
    cache_control = {
        directive.split("=")[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not cache_control & {"private", "no-cache", "no-store"}
        and not (session is not None and session.accessed)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def page_key(request):
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
    manifest = getattr(staticfiles_storage, "manifest_hash", "") or ""
    day = timezone.localdate().isoformat()
    return f"{KEY_PREFIX}:{generation()}:{manifest}:{get_language()}:{day}:{address}"


def cached_page(view):
    """Serve the view's page from the cache when it is the same for everyone (see above)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        content = cache.get(key)
        if content is not None:
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if _is_cacheable_response(request, response):
            cache.set(key, response.content, settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper

"""What search engines read: /sitemap.xml (an index of sitemap files) and /robots.txt.

The sitemap lists, in Vietnamese and English (hreflang alternates, x-default Vietnamese), the
pages that have something to read: home, the agreement list, the dashboards (the province's and
the coverage of ethnic-minority villages), the needs board, the open-data page, every published
agreement, every legal document some published agreement was signed under, and every locality
that is a party to a published agreement, lies above one (a village's commune, its province),
or succeeded one — its page and its dashboard. The 3,321 communes and wards of the register that
twin with nobody are left out: their pages exist but say nothing yet. Drafts never appear: every
query starts from published agreements.

/sitemap.xml is the index: each section in files of at most PAGES_PER_FILE pages (twice as many
addresses, one per language; the protocol allows 50,000), /sitemap-<section>.xml?p=<n>. The index
runs a query per section (its count, the agreements' latest change), a file one query (its page
of slugs), whatever the amount of data; both are written here rather than by Django's sitemaps,
which load every row of a section as a model for every file. With a shared cache (the page
cache on), each is kept there SITEMAP_SECONDS: a new agreement shows in the sitemap within the
hour.
"""

import functools
import math
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.http import require_safe

from agreements.models import Agreement, AgreementStatus, LegalDocument, Party
from ketnghia.pagecache import canonical
from localities.models import Locality

# How far up from a party the sitemap looks: village → commune → district (before 7-2025) →
# province. Deeper chains do not exist in the register.
ANCESTOR_LEVELS = 3
PAGES_PER_FILE = 5000
SITEMAP_SECONDS = 3600
XML = "application/xml"


def localities_with_agreements():
    """Localities whose page shows a published agreement: parties, what lies above them, and
    the successors of a dissolved party. One query (a union of subqueries on parties)."""
    parties = Party.objects.filter(agreement__status=AgreementStatus.PUBLISHED)
    condition = Q(id__in=parties.values("locality_id")) | Q(
        id__in=parties.filter(locality__successors__isnull=False).values("locality__successors")
    )
    path = "locality"
    for _level in range(ANCESTOR_LEVELS):
        path += "__parent"
        condition |= Q(id__in=parties.filter(**{f"{path}__isnull": False}).values(path))
    return Locality.objects.filter(condition)


def _published_agreements():
    return Agreement.objects.published().order_by("id")


def _legal_documents():
    signed_under = Agreement.objects.published().values("legal_basis")
    return LegalDocument.objects.filter(id__in=signed_under).order_by("id")


def _localities():
    return localities_with_agreements().order_by("id")


# section: (the page's address name, its rows (with a slug; None for the site's own pages),
# priority, change frequency, the rows' date of last change or None).
SECTIONS = {
    "pages": (None, None, "0.8", "daily", None),
    "agreements": ("agreements:detail", _published_agreements, "0.9", "weekly", "updated_at"),
    "localities": ("localities:detail", _localities, "0.6", "weekly", None),
    "locality-dashboards": ("dashboards:locality", _localities, "0.4", "weekly", None),
    "legal-documents": ("agreements:legal_document", _legal_documents, "0.5", "monthly", None),
}
SITE_PAGES = [
    "home",
    "agreements:list",
    "dashboards:province",
    "dashboards:coverage",
    "needs:board",
    "opendata:index",
    "about",
]


@functools.cache
def _address_of(name, language):
    """A function making the address of the page `name` for a slug, in `language`: reversed
    once, not for each of the tens of thousands of addresses a sitemap file writes."""
    marker = "0slug0"
    with translation.override(language):
        prefix, suffix = reverse(name, args=[marker]).split(marker)
    return lambda slug: f"{prefix}{slug}{suffix}"


def _site_address(name, language):
    with translation.override(language):
        return reverse(name)


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def _url_entries(root, addresses, lastmod, changefreq, priority):
    """<url> entries of one page: one per language, each naming every language and x-default
    (the first language, Vietnamese)."""
    links = "".join(
        f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(root + address)}/>'
        for code, address in addresses
    )
    links += (
        f'<xhtml:link rel="alternate" hreflang="x-default" '
        f"href={quoteattr(root + addresses[0][1])}/>"
    )
    extra = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
    extra += f"<changefreq>{changefreq}</changefreq><priority>{priority}</priority>"
    return [
        f"<url><loc>{escape(root + address)}</loc>{extra}{links}</url>"
        for _code, address in addresses
    ]


def _root(request):
    return f"{request.scheme}://{request.get_host()}"


def _kept(view):
    """The view's answer kept SITEMAP_SECONDS in the shared cache, when the site keeps pages
    there (PAGE_CACHE_SECONDS: off with each process's own cache, and in tests)."""
    cached = cache_page(SITEMAP_SECONDS)(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.PAGE_CACHE_SECONDS > 0:
            return cached(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def _canonical(params):
    """Sends an address with other query parameters than `params` to the one without them,
    before the cache is asked: junk parameters make no entries in it."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            return canonical(request, params) or view(request, *args, **kwargs)

        return wrapper

    return decorator


@cache_control(public=True, max_age=300)
@require_safe
@_canonical(set())
@_kept
def sitemap_index(request):
    """/sitemap.xml: the address of every sitemap file, a section's split in files (?p=2…)."""
    root, entries, counts = _root(request), [], {}
    for section, (_name, rows, _priority, _changefreq, changed) in SECTIONS.items():
        lastmod = None
        if rows is None:
            files = 1
        elif changed:
            found = rows().aggregate(count=Count("id"), latest=Max(changed))
            files, lastmod = math.ceil(found["count"] / PAGES_PER_FILE), found["latest"]
        else:
            if rows not in counts:  # a locality's page and its dashboard: one count
                counts[rows] = rows().count()
            files = math.ceil(counts[rows] / PAGES_PER_FILE)
        address = reverse("sitemap_section", args=[section])
        for page in range(1, files + 1):
            loc = root + address + (f"?p={page}" if page > 1 else "")
            extra = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
            entries.append(f"<sitemap><loc>{escape(loc)}</loc>{extra}</sitemap>")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + "\n</sitemapindex>\n"
    )
    return HttpResponse(body, content_type=XML)


@cache_control(public=True, max_age=300)
@require_safe
@_canonical({"p"})
@_kept
def sitemap_section(request, section):
    """/sitemap-<section>.xml?p=<n>: at most PAGES_PER_FILE pages of a section, in every
    language; 404 for a section or a file that does not exist."""
    if section not in SECTIONS:
        raise Http404
    try:
        page = int(request.GET.get("p", "1"))
    except ValueError:
        raise Http404 from None
    name, rows, priority, changefreq, changed = SECTIONS[section]
    root, languages, entries = _root(request), _languages(), []
    if rows is None:
        found = [(None, None)] if page == 1 else []
    else:
        fields = ["slug", changed] if changed else ["slug"]
        start = (page - 1) * PAGES_PER_FILE
        found = (
            list(rows().values_list(*fields)[start : start + PAGES_PER_FILE]) if page > 0 else []
        )
    if not found:
        raise Http404
    if rows is None:
        for site_page in SITE_PAGES:
            addresses = [(code, _site_address(site_page, code)) for code in languages]
            entries += _url_entries(root, addresses, None, changefreq, priority)
    else:
        makers = [(code, _address_of(name, code)) for code in languages]
        for row in found:
            addresses = [(code, make(row[0])) for code, make in makers]
            lastmod = row[1] if changed else None
            entries += _url_entries(root, addresses, lastmod, changefreq, priority)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "\n".join(entries) + "\n</urlset>\n"
    )
    return HttpResponse(body, content_type=XML)


@cache_control(public=True, max_age=3600)
@require_safe
def robots_txt(request):
    """Crawl everything but the admin (in either language); the sitemap by its full address."""
    lines = ["User-agent: *", "Allow: /"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            lines.append(f"Disallow: {reverse('admin:index')}")
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

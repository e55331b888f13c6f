"""What search engines read: /sitemap.xml and /robots.txt.

The sitemap lists, in Vietnamese and English (hreflang alternates, x-default Vietnamese), the
pages that have something to read: home, the agreement list, the dashboards (the province's and
the coverage of ethnic-minority villages), the open-data page, every published agreement, every
legal document some published agreement was signed under, and every locality that is a party to
a published agreement, lies above one (a village's commune, its province), or succeeded one —
its page and its dashboard. The 3,321 communes and wards of the register that twin with nobody
are left out: their pages exist but say nothing yet. Drafts never appear: every query starts
from published agreements. Each section runs one query, whatever the amount of data.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from agreements.models import Agreement, AgreementStatus, LegalDocument, Party
from localities.models import Locality

# How far up from a party the sitemap looks: village → commune → district (before 7-2025) →
# province. Deeper chains do not exist in the register.
ANCESTOR_LEVELS = 3


class _Bilingual(Sitemap):
    """Every page in both languages, each naming the other (and Vietnamese as x-default)."""

    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(_Bilingual):
    priority = 0.8
    changefreq = "daily"

    def items(self):
        return [
            "home",
            "agreements:list",
            "dashboards:province",
            "dashboards:coverage",
            "opendata:index",
            "about",
        ]

    def location(self, item):
        return reverse(item)


class AgreementSitemap(_Bilingual):
    priority = 0.9
    changefreq = "weekly"

    def items(self):
        return Agreement.objects.published().only("slug", "updated_at").order_by("id")

    def location(self, item):
        return reverse("agreements:detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


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


class LocalitySitemap(_Bilingual):
    """A locality's page and its dashboard, from the one query."""

    changefreq = "weekly"
    PAGES = {"localities:detail": 0.6, "dashboards:locality": 0.4}

    def items(self):
        localities = localities_with_agreements().only("slug").order_by("id")
        return [(locality, name) for locality in localities for name in self.PAGES]

    def location(self, item):
        locality, name = item
        return reverse(name, args=[locality.slug])

    def priority(self, item):
        return self.PAGES[item[1]]


class LegalDocumentSitemap(_Bilingual):
    priority = 0.5
    changefreq = "monthly"

    def items(self):
        signed_under = Agreement.objects.published().values("legal_basis")
        return LegalDocument.objects.filter(id__in=signed_under).only("slug").order_by("id")

    def location(self, item):
        return reverse("agreements:legal_document", args=[item.slug])


SITEMAPS = {
    "pages": PagesSitemap,
    "agreements": AgreementSitemap,
    "localities": LocalitySitemap,
    "legal-documents": LegalDocumentSitemap,
}


@cache_control(public=True, max_age=300)
@require_safe
def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)


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

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from ketnghia import health, seo, views
from ketnghia.public import error_reports

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    # The open-data API is language-neutral: /api/v1/…, described at /api/schema/.
    path("api/", include("ketnghia.api")),
    # For search engines: one sitemap naming both languages of each page (ketnghia/seo.py).
    path("sitemap.xml", seo.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", seo.sitemap_section, name="sitemap_section"),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
]

# Vietnamese at the plain paths whatever the browser asks for; English under /en/.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("gioi-thieu/", views.about, name="about"),
    path("bao-loi/", error_reports.report_error, name="report_error"),
    path("", include("ketnghia.public.agreement_urls")),
    path("", include("ketnghia.public.locality_urls")),
    path("", include("ketnghia.public.dashboard_urls")),
    path("", include("ketnghia.public.search_urls")),
    path("", include("ketnghia.public.needs_urls")),
    path("du-lieu/", include("ketnghia.opendata")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Django's own handlers: templates/404.html (in the site's layout, in the URL's language) and
# templates/500.html (standalone: it is rendered with an empty context); templates/503.html when
# the database does not answer (ketnghia.views.server_error).
handler404 = "django.views.defaults.page_not_found"
handler500 = "ketnghia.views.server_error"

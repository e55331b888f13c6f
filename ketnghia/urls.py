from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from ketnghia import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The open-data API is language-neutral: /api/v1/…, described at /api/schema/.
    path("api/", include("ketnghia.api")),
]

# Vietnamese at the plain paths whatever the browser asks for; English under /en/.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("", include("agreements.urls")),
    path("", include("localities.urls")),
    path("du-lieu/", include("ketnghia.opendata")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def site(request):
    """The province, and this page's address in each language (switch links, hreflang)."""
    path = request.path
    alternates = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            alternates.append({"code": code, "name": name, "url": translate_url(path, code)})
    return {"province_name": settings.PROVINCE_NAME, "language_alternates": alternates}

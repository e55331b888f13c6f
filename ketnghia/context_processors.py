from django.conf import settings
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject


def site(request):
    """The province, and this page's address in each language (switch links, hreflang).

    translate_url resolves the path in the language it is written in, so it is called with the
    current language active; the full path keeps the list's filters across the switch. The
    addresses are made when a template reads them: the admin's pages do not.
    """

    def alternates():
        path = request.get_full_path()
        return [
            {"code": code, "name": name, "url": translate_url(path, code)}
            for code, name in settings.LANGUAGES
        ]

    return {
        "province_name": settings.PROVINCE_NAME,
        "language_alternates": SimpleLazyObject(alternates),
        "publisher": settings.PUBLISHER,
        "contact": {
            "email": settings.CONTACT_EMAIL,
            "phone": settings.CONTACT_PHONE,
            "address": settings.CONTACT_ADDRESS,
        },
    }

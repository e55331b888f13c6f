"""System checks of the deployment (`manage.py check --deploy`, which deploy/install.sh runs)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@register(deploy=True)
def site_url_is_public(app_configs, **kwargs):
    """With a job queue, files are made outside any request (the open data): their links come
    from SITE_URL, which must then be the site's public address."""
    if settings.HUEY_URL and urlsplit(settings.SITE_URL).hostname in LOOPBACK:
        return [
            Warning(
                "SITE_URL is this machine's own address: the open-data files made by the job "
                "queue would link to it.",
                hint="Set SITE_URL to the site's public address, e.g. https://ketnghia.gialai.gov.vn.",
                id="ketnghia.W001",
            )
        ]
    return []

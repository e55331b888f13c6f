"""Reads shaped for screens: one function per screen decides what it loads."""

from agreements.models import Agreement


def agreements_for_home(limit=20):
    """How many agreements are published, and the latest of them: two queries."""
    published = Agreement.objects.published()
    latest = list(
        published.only("title", "slug", "signed_on").order_by("-signed_on", "-id")[:limit]
    )
    return published.count(), latest

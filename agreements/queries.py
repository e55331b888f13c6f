"""Reads shaped for screens: one function per screen decides what it loads."""

from agreements.models import Agreement


def agreements_for_home(limit=20):
    """The latest published agreements, newest signing first: one query."""
    return list(
        Agreement.objects.published()
        .only("title", "slug", "signed_on")
        .order_by("-signed_on", "-id")[:limit]
    )

"""The pages `make bench` measures, picked from the data; run inside Django:

    python manage.py shell -v 0 -c "from bench import targets; targets.main('xa-ia-dok')"

prints one line, TARGETS {json}: the pages (each dashboard as served, then computed for each
reader: anonymous, a commune leader, a province officer; bench.readers signs them in) and the
dataset's size.
"""

import json
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from activities.models import Activity
from agreements.models import Agreement, AgreementStatus, Party
from bench import report
from bench.readers import READERS
from localities.models import Locality, LocalityKind

PREFIX = "TARGETS "


def pick(commune_slug=None):
    """The heaviest of each kind of page: the published agreement with the most activities,
    the commune that is a party to the most published agreements (or the one given, so that
    the same commune is measured on every dataset: the register is the same in all)."""
    agreement = (
        Agreement.objects.published()
        .annotate(n=Count("activities"))
        .order_by("-n", "slug")
        .values("pk", "slug", "title", "n")
        .first()
    )
    parties = Party.objects.filter(
        agreement__status=AgreementStatus.PUBLISHED, locality__kind=LocalityKind.COMMUNE
    )
    if commune_slug:
        parties = parties.filter(locality__slug=commune_slug)
    commune = (
        parties.values("locality__slug", "locality__name")
        .annotate(n=Count("agreement", distinct=True))
        .order_by("-n", "locality__slug")
        .first()
    )
    if commune is None and commune_slug:
        name = Locality.objects.filter(slug=commune_slug).values_list("name", flat=True).first()
        if name:
            commune = {"locality__slug": commune_slug, "locality__name": name, "n": 0}
    pages = [
        {
            "key": "base",
            # The trivial one-query page: the about page counts the published agreements and
            # renders the site's layout, made for every request (never from the page cache).
            "label": "base (about page)",
            "path": reverse("about"),
            "base": True,
        },
        {"key": "home", "label": "home", "path": reverse("home")},
        {"key": "agreement_list", "label": "agreement list", "path": reverse("agreements:list")},
    ]
    if agreement:
        pages.append(
            {
                "key": "agreement",
                "label": f"agreement ({agreement['n']} act.)",
                "path": reverse("agreements:detail", args=[agreement["slug"]]),
            }
        )
    if commune:
        pages.append(
            {
                "key": "locality",
                "label": f"locality ({commune['n']} agr.)",
                "path": reverse("localities:detail", args=[commune["locality__slug"]]),
            }
        )
    pages.append(
        {
            "key": "province_dashboard",
            "label": "province dashboard",
            "path": reverse("dashboards:province"),
            "dashboard": True,
        }
    )
    if commune:
        slug = commune["locality__slug"]
        pages.append(
            {
                "key": "commune_dashboard",
                "label": "commune dashboard",
                "path": reverse("dashboards:locality", args=[slug]),
                "dashboard": True,
            }
        )
    # Issue 14: the coverage page (the villages without a partner, a page of communes at a
    # time) stays light at national scale.
    pages.append({"key": "coverage", "label": "coverage", "path": reverse("dashboards:coverage")})
    # Issue 14: the needs board, as served (light) and made for each request (fast).
    board = {"key": "needs", "label": "needs board", "path": reverse("needs:board")}
    pages.append(board)
    # The dashboards once more, computed for each request, as every reader gets them after a
    # write: the anonymous one with a session cookie of its own each time, naming no session
    # (ketnghia.pagecache keeps and serves pages for visitors without one only: bench.report
    # Page.headers_of), then each signed-in reader.
    readers = ["", *(name for _username, name, _whole in READERS.values())]
    pages += [
        {
            **page,
            "key": "_".join([f"{page['key']}_computed", *reader.split()]),
            "label": f"{page['label']}, computed",
            "computed": True,
            "fresh": not reader,
            "reader": reader,
        }
        for page in list(pages)
        if page.get("dashboard")
        for reader in readers
    ]
    pages += search_pages(commune)
    pages.append(
        {
            **board,
            "key": "needs_computed",
            "label": "needs board, computed",
            "fresh": True,
            "computed": True,
            "limit_ms": report.NEEDS_LIMIT_MS,
        }
    )
    pages += admin_pages(agreement, commune)
    pages.append({"key": "healthz", "label": "/healthz", "path": reverse("healthz")})
    return {
        "pages": pages,
        "commune": commune and commune["locality__name"],
        "commune_slug": commune and commune["locality__slug"],
        "agreement": agreement and agreement["title"],
        "size": {
            "localities": Locality.objects.count(),
            "agreements": Agreement.objects.count(),
            "activities": Activity.objects.count(),
        },
    }


ADMIN_READER = "province officer"


def search_pages(commune):
    """Issue 14: the site's search as a citizen uses it, made for each request (a session
    cookie of its own each time, as the dashboards computed): a city's name (a former unit,
    its successors, agreements and activities that name it) and the commune's name."""
    words = ["pleiku", *([commune["locality__name"]] if commune else [])]
    return [
        {
            "key": f"search_{n}",
            "label": f"search «{query}», computed",
            "path": reverse("search:results") + "?" + urlencode({"q": query}),
            "fresh": True,
            "computed": True,
            "limit_ms": report.SEARCH_LIMIT_MS,
        }
        for n, query in enumerate(words)
    ]


def admin_pages(agreement, commune):
    """Issue 16: the admin's lists, a search and the forms, as a province officer meets them:
    the activity, agreement and unit lists, the activities searched by the commune's name, and
    the change forms of the heaviest agreement and of its latest activity."""
    pages = [
        ("admin_activities", "admin: activity list", "admin:activities_activity_changelist", ""),
        ("admin_agreements", "admin: agreement list", "admin:agreements_agreement_changelist", ""),
        ("admin_localities", "admin: unit list", "admin:localities_locality_changelist", ""),
    ]
    if commune:
        words = urlencode({"q": commune["locality__name"]})
        pages.append(
            (
                "admin_search",
                "admin: activities searched",
                "admin:activities_activity_changelist",
                f"?{words}",
            )
        )
    found = [
        {"key": key, "label": label, "path": reverse(name) + query}
        for key, label, name, query in pages
    ]
    if agreement:
        activity = (
            Activity.objects.filter(agreement_id=agreement["pk"]).values_list("pk", flat=True)
        ).first()
        found.append(
            {
                "key": "admin_agreement_form",
                "label": "admin: agreement form",
                "path": reverse("admin:agreements_agreement_change", args=[agreement["pk"]]),
            }
        )
        if activity:
            found.append(
                {
                    "key": "admin_activity_form",
                    "label": "admin: activity form",
                    "path": reverse("admin:activities_activity_change", args=[activity]),
                }
            )
    return [{**page, "admin": True, "reader": ADMIN_READER} for page in found]


def main(commune_slug=None):
    print(PREFIX + json.dumps(pick(commune_slug), ensure_ascii=False))

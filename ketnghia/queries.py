"""Reads shaped for the site's own pages: the home page."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from activities import reports
from activities.models import LINE_FIELDS, Activity, ActivityStatus
from agreements.models import Agreement, AgreementStatus, LegalDocument

LATEST = 5
LEGAL_BASES = 4


@dataclass
class HomePage:
    agreements_in_force: int
    localities_with_partner: int
    delivered_value: reports.MoneyTotal
    goods: list  # every reports.TypeTotal with a quantity, catalogue order
    latest_agreements: list
    latest_activities: list
    legal_bases: list


def home_page():
    """Everything the home page shows, from published agreements only: five queries. The
    totals are the province dashboard's (its summary rows)."""
    published = Agreement.objects.published()
    headline = reports.headline()
    activities = Activity.objects.published()
    by_type, delivered_value = reports.province_totals(ActivityStatus.DELIVERED)
    # Every type of goods and works that has a count, in the catalogue's order.
    goods = reports.goods_of(by_type)
    return HomePage(
        agreements_in_force=headline.agreements_in_force,
        localities_with_partner=headline.localities_with_partner,
        delivered_value=delivered_value,
        goods=goods,
        latest_agreements=list(
            published.only("title", "title_en", "slug", "signed_on", "signed_at_place").order_by(
                "-signed_on", "-pk"
            )[:LATEST]
        ),
        latest_activities=list(
            activities.filter(status=ActivityStatus.DELIVERED)
            .select_related("activity_type", "agreement")
            .only(*LINE_FIELDS)
            # A figure over a period counts from its end: "20 years to 7-2023" is news of 2023.
            .order_by(Coalesce("ends_on", "starts_on").desc(), "-starts_on", "-pk")[:LATEST]
        ),
        legal_bases=list(
            LegalDocument.objects.annotate(
                agreement_count=Count(
                    "agreements", filter=Q(agreements__status=AgreementStatus.PUBLISHED)
                )
            )
            .filter(agreement_count__gt=0)
            .only("number", "kind", "issuer", "slug", "issued_on")
            .order_by("-agreement_count", "issued_on", "pk")[:LEGAL_BASES]
        ),
    )

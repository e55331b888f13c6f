"""Which years' figures the province approved and locked, for a dashboard's scope
(docs/counting.md, "Approved periods")."""

from django.db.models import F, Q

from activities.models import PeriodApproval
from localities.models import Locality


def approved_periods(units=(), keep=None):
    """The locked approvals that hold the figures of a dashboard: the province's, and those of
    `units` (a unit and the units above it, ids) for a unit's dashboard. One query; the latest
    year first. `keep` (name, key, compute: ketnghia.pagecache.kept) keeps them until the data
    changes."""
    if keep is not None:
        units = tuple(units)
        return keep(
            "approved-periods", (PeriodApproval, Locality, units), lambda: approved_periods(units)
        )
    covering = Q(locality__isnull=True)
    if units:
        covering |= Q(locality_id__in=list(units))
    return list(
        PeriodApproval.objects.filter(covering, locked=True)
        .select_related("locality")
        .order_by("-year", "locality__name")
    )


def all_approved_periods():
    """Every approval that holds, as the open data lists them: the latest year first, the
    province's before the units' (by name). One query."""
    return (
        PeriodApproval.objects.filter(locked=True)
        .select_related("locality")
        .order_by("-year", F("locality__name").asc(nulls_first=True), "id")
    )

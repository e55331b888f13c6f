"""Reads for the dashboards' filter form: the choices it offers and the locality it names.

The figures themselves come from activities.reports (dashboard, locality_dashboard, coverage);
nothing here counts or sums anything. Each function runs one query.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from agreements.models import AgreementStatus, CommitmentArea, Party
from localities.models import Locality, LocalityKind

# A locality's dashboard names the chain above it (village → commune → district → province):
# loaded with it, so that labels and breadcrumbs cost no query.
ANCESTOR_DEPTH = 4


def areas():
    """The commitment areas, in their catalogue order."""
    return list(
        CommitmentArea.objects.only("name", "slug", "position").order_by("position", "name")
    )


def locality(slug):
    """The locality with this slug and the chain above it, or None."""
    return (
        Locality.objects.select_related("__".join(["parent"] * ANCESTOR_DEPTH))
        .filter(slug=slug)
        .first()
    )


def ancestors(place):
    """The loaded parent chain of a locality, province first (no query)."""
    chain, node = [], place
    while Locality.parent.is_cached(node) and node.parent is not None:
        node = node.parent
        chain.append(node)
    return chain[::-1]


@dataclass
class LocalityGroup:
    label: str
    localities: list = field(default_factory=list)


def locality_choices(selected=None, include_drafts=False):
    """The localities worth choosing, grouped by kind in the order of LocalityKind: the parties
    of the agreements the dashboard counts (published ones; drafts too for staff), the units
    above them up to the province, and the selected one whatever it is."""
    parties = Party.objects.all()
    if not include_drafts:
        parties = parties.filter(agreement__status=AgreementStatus.PUBLISHED)
    condition = Q(slug=selected) if selected else Q(pk__in=[])
    path = "locality"
    for _level in range(ANCESTOR_DEPTH):
        condition |= Q(Exists(parties.filter(**{path: OuterRef("pk")})))
        path = f"{path}__parent"
    places = (
        Locality.objects.filter(condition)
        .select_related("parent")
        .only("name", "slug", "kind", "parent__name")
        .order_by("search_key", "id")
    )
    groups = {kind: LocalityGroup(label) for kind, label in LocalityKind.choices}
    for place in places:
        groups[place.kind].localities.append(place)
    return [group for group in groups.values() if group.localities]

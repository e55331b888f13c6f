"""Reads for the dashboards' filter form: the choices it offers and the locality it names.

The figures themselves come from activities.reports (dashboard, locality_dashboard, coverage);
nothing here counts or sums anything. Each function runs one query.
"""

from dataclasses import dataclass, field

from django.db.models import Q

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


def parties_and_above(parties, levels):
    """The localities of `parties` and `levels` - 1 levels of units above them: nested
    subqueries of ids, which the database reads once each (where EXISTS per locality would
    probe the parties for every one of the register's units)."""
    ids = parties.values("locality_id")
    condition = Q(pk__in=ids)
    for _level in range(levels - 1):
        ids = Locality.objects.filter(pk__in=ids).values("parent_id")
        condition |= Q(pk__in=ids)
    return condition


def locality_choices(selected=None, include_drafts=False):
    """The localities worth choosing, grouped by kind in the order of LocalityKind: the parties
    of the agreements the dashboard counts (published ones; drafts too for staff), the units
    above them up to the province, and the selected one whatever it is."""
    parties = Party.objects.all()
    if not include_drafts:
        parties = parties.filter(agreement__status=AgreementStatus.PUBLISHED)
    condition = Q(slug=selected) if selected else Q(pk__in=[])
    places = (
        Locality.objects.filter(condition | parties_and_above(parties, ANCESTOR_DEPTH))
        .select_related("parent")
        .only("name", "slug", "kind", "parent__name")
        .order_by("search_key", "id")
    )
    return grouped_by_kind(places)


def grouped_by_kind(places):
    """LocalityGroups of the places, in the order of LocalityKind, empty kinds left out."""
    groups = {kind: LocalityGroup(label) for kind, label in LocalityKind.choices}
    for place in places:
        groups[place.kind].localities.append(place)
    return [group for group in groups.values() if group.localities]

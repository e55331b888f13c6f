"""Reads for the dashboards' filter form: the choices it offers and the locality it names.

The figures themselves come from activities.reports (dashboard, locality_dashboard, coverage);
nothing here counts or sums anything. Each function runs one query.
"""

from django.db.models import Q

from agreements.models import CommitmentArea
from ketnghia.public import locality_search
from localities.models import Locality

# A locality's dashboard names the chain above it (village → commune → district → province):
# loaded with it, so that labels and breadcrumbs cost no query.
ANCESTOR_DEPTH = 4
ANCESTORS = "__".join(["parent"] * ANCESTOR_DEPTH)


def areas():
    """The commitment areas, in their catalogue order."""
    return list(
        CommitmentArea.objects.only("name", "slug", "position").order_by("position", "name")
    )


def locality(slug):
    """The locality with this slug and the chain above it, or None."""
    return Locality.objects.select_related(ANCESTORS).filter(slug=slug).first()


def locality_choice(values):
    """What the filter form's locality field names (locality_search.resolve: a slug, or words
    searched), each locality with the chain above it."""
    return locality_search.resolve(values, related=(ANCESTORS,))


def ancestors(place):
    """The loaded parent chain of a locality, province first (no query)."""
    chain, node = [], place
    while Locality.parent.is_cached(node) and node.parent is not None:
        node = node.parent
        chain.append(node)
    return chain[::-1]


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

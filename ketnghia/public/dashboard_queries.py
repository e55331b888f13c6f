"""Reads for the dashboards' filter form: the choices it offers and the locality it names.

The figures themselves come from activities.reports (dashboard, locality_dashboard, coverage);
nothing here counts or sums anything. Each function runs one query.
"""

from agreements.models import CommitmentArea
from ketnghia.public import locality_search
from localities import tree


def areas():
    """The commitment areas, in their catalogue order."""
    return list(
        CommitmentArea.objects.only("name", "name_en", "slug", "position").order_by(
            "position", "name"
        )
    )


def locality(slug):
    """The locality with this slug and the chain above it, or None."""
    return tree.chain(slug=slug)


def locality_choice(values):
    """What the filter form's locality field names (locality_search.resolve: a slug, or words
    searched), each locality with the chain above it."""
    return locality_search.resolve(values, related=(tree.ANCESTOR_PATH,))

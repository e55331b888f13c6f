"""Who twins with whom, placed: the data of the maps (ketnghia.maps draws them).

A `PartnerMap` is the places to mark (each locality with its point, or the point of the unit it
lies in: a village has none of its own, its commune has; a unit or agency without a point and
without a placed parent is counted in `unplaced`) and the links between partners, each with the
number of agreements the two share. Every number is a number of agreements, counted as the page
around the map counts them:

- dashboard_map: the agreements the dashboard lists (rules.counted_agreements and rules.listed,
  its filters applied, as its "who twins with whom"); each place sized by how many of them it is
  a party to (signing or coordinating); at most MAP_PLACES places (the most agreements first)
  and MAP_LINKS links, with the total;
- agreement_map: one agreement's parties, linked;
- locality_map: a locality and its partners in its published agreements.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count

from agreements.models import AgreementStatus, Party
from localities.models import Locality

# A national dashboard lists thousands of parties: the map marks the most involved.
MAP_PLACES = 50
MAP_LINKS = 60


@dataclass(frozen=True)
class MapPlace:
    id: int
    name: str
    slug: str
    kind: str
    dissolved: bool
    latitude: float
    longitude: float
    agreements: int  # agreements counted that it is a party to
    by_parent: bool = False  # placed at the unit it lies in


@dataclass(frozen=True)
class PartnerMap:
    places: list[MapPlace] = field(default_factory=list)
    links: list[tuple[int, int, int]] = field(default_factory=list)  # (id, id, agreements)
    places_total: int = 0  # places counted, those beyond MAP_PLACES included
    unplaced: list[str] = field(default_factory=list)  # names of places without any point

    @property
    def more(self):
        return self.places_total > len(self.places) + len(self.unplaced)


def point_of(place):
    """(latitude, longitude, by_parent): its own point, its parent's, or its grandparent's."""
    parent = place.parent
    for unit in (place, parent, parent and parent.parent):  # loaded with it (_places)
        if unit is not None and unit.latitude is not None and unit.longitude is not None:
            return float(unit.latitude), float(unit.longitude), unit is not place
    return None


def _places(counts):
    """MapPlaces of {locality id: agreements}, and the names of those without a point: one
    query."""
    found = (
        Locality.objects.filter(pk__in=counts)
        .select_related("parent__parent")
        .only(
            "name",
            "slug",
            "kind",
            "dissolved_on",
            "latitude",
            "longitude",
            "parent__latitude",
            "parent__longitude",
            "parent__parent__latitude",
            "parent__parent__longitude",
        )
    )
    places, unplaced = [], []
    for place in sorted(found, key=lambda p: (-counts[p.pk], p.name, p.pk)):
        point = point_of(place)
        if point is None:
            unplaced.append(place.name)
            continue
        latitude, longitude, by_parent = point
        places.append(
            MapPlace(
                id=place.pk,
                name=place.name,
                slug=place.slug,
                kind=place.kind,
                dissolved=place.dissolved_on is not None,
                latitude=latitude,
                longitude=longitude,
                agreements=counts[place.pk],
                by_parent=by_parent,
            )
        )
    return places, unplaced


def _links(rows, keep=None, limit=MAP_LINKS):
    """(id, id, agreements) of every two parties of an agreement, from (agreement, locality)
    rows; only between `keep` ids when given; the most shared first, at most `limit`."""
    by_agreement = {}
    for agreement, locality in rows:
        if keep is None or locality in keep:
            by_agreement.setdefault(agreement, set()).add(locality)
    shared = Counter()
    for parties in by_agreement.values():
        for first, second in combinations(sorted(parties), 2):
            shared[(first, second)] += 1
    ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(first, second, n) for (first, second), n in ranked]


def dashboard_map(a, agreements):
    """The dashboard's map: `agreements` are those it lists (rules.counted_agreements and
    rules.listed). Four queries, whatever their number."""
    parties = Party.objects.filter(agreement__in=agreements.values("pk"))
    counted = (
        parties.values("locality")
        .annotate(n=Count("agreement", distinct=True))
        .order_by("-n", "locality")
    )
    top = {row["locality"]: row["n"] for row in counted[:MAP_PLACES]}
    if not top:
        return PartnerMap()
    total = parties.values("locality").distinct().count()
    places, unplaced = _places(top)
    rows = parties.filter(locality__in=list(top)).values_list("agreement_id", "locality_id")
    placed = {place.id for place in places}
    return PartnerMap(places, _links(rows, keep=placed), total, unplaced)


def agreement_map(agreement):
    """One agreement's parties, each linked to the others: one query (the parties' points)."""
    ids = [party.locality_id for party in agreement.parties.all()]
    counts = dict.fromkeys(ids, 1)
    places, unplaced = _places(counts)
    placed = {place.id for place in places}
    rows = [(agreement.pk, locality) for locality in ids if locality in placed]
    return PartnerMap(places, _links(rows), len(counts), unplaced)


def locality_map(locality, area=None):
    """A locality and its partners in the published agreements of its area (`area`: its id and
    those of the units below it and of those it succeeded, as its page counts them; the
    locality alone by default), in any role: the locality sized by those agreements, each
    partner by the agreements they share. Two queries."""
    area = set(area or [locality.pk]) | {locality.pk}
    ours = Party.objects.filter(
        locality__in=area, agreement__status=AgreementStatus.PUBLISHED
    ).values("agreement_id")
    rows = list(
        Party.objects.filter(agreement__in=ours)
        .order_by()
        .values_list("agreement_id", "locality_id")
        .distinct()
    )
    if not rows:
        return PartnerMap()
    shared = {}
    for agreement, party in rows:
        if party not in area:
            shared.setdefault(party, set()).add(agreement)
    counts = Counter({partner: len(agreements) for partner, agreements in shared.items()})
    top = dict(counts.most_common(MAP_PLACES - 1))
    top[locality.pk] = len({agreement for agreement, _party in rows})
    places, unplaced = _places(top)
    placed = {place.id for place in places}
    links = [
        (min(locality.pk, partner), max(locality.pk, partner), n)
        for partner, n in counts.most_common(MAP_LINKS)
        if partner in placed and locality.pk in placed
    ]
    return PartnerMap(places, links, len(counts) + 1, unplaced)

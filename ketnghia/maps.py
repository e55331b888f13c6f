"""The site's maps (issue 14), drawn by localities.maps: who twins with whom
(activities.reports.maps's PartnerMap), the coverage page's communes and the needs board's
places, each mark named, sized and linked as the page around it says."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from localities.maps import COUNTRY, KINDS, OUTLINE, Link, Map, Mark, outline, point_picker
from localities.models import LocalityKind

__all__ = ["COUNTRY", "KINDS", "OUTLINE", "Map", "outline", "point_picker"]


def partner_map(id, title, data, *, whole_country=False, interactive=True):
    """The Map of an activities.reports.maps.PartnerMap: each place a mark sized by its
    agreements, linked to its page; what is left out said in `note`."""
    marks = [
        Mark(
            key=place.id,
            name=place.name,
            kind="former" if place.dissolved else place.kind,
            kind_label=_("former unit") if place.dissolved else LocalityKind(place.kind).label,
            url=reverse("localities:detail", args=[place.slug]),
            longitude=place.longitude,
            latitude=place.latitude,
            value=place.agreements,
            display=ngettext("%(n)s agreement", "%(n)s agreements", place.agreements)
            % {"n": place.agreements},
            placed_by_parent=place.by_parent,
        )
        for place in data.places
    ]
    notes = []
    if data.more:
        notes.append(
            _("The %(shown)s localities and units with the most agreements, of %(total)s.")
            % {"shown": len(marks), "total": data.places_total}
        )
    if data.unplaced:
        notes.append(_unplaced(data.unplaced))
    return Map(
        id=id,
        title=title,
        marks=marks,
        links=[Link(first, second, n) for first, second, n in data.links],
        whole_country=whole_country,
        interactive=interactive,
        value_heading=_("Agreements"),
        note=" ".join(notes),
    )


# How a commune's ethnic-minority villages stand, as the coverage map colours it.
COVERAGE_KINDS = ("cov-none", "cov-some", "cov-all")


def coverage_map(id, title, rows):
    """The map of a page of the coverage table (activities.reports.coverage rows): each
    commune at its point, sized by its ethnic-minority villages, coloured by how many of them
    have a partner (none, some, all). A commune without a point is said in `note`."""
    labels = {
        "cov-none": _("no village with a partner"),
        "cov-some": _("some villages without a partner"),
        "cov-all": _("every village with a partner"),
    }
    marks, unplaced = [], []
    for row in rows:
        commune = row.commune
        if commune.latitude is None or commune.longitude is None:
            unplaced.append(commune.name)
            continue
        if row.without_partner == row.total:
            kind = "cov-none"
        elif row.without_partner:
            kind = "cov-some"
        else:
            kind = "cov-all"
        marks.append(
            Mark(
                key=commune.pk,
                name=commune.name,
                kind=kind,
                kind_label=labels[kind],
                url=reverse("localities:detail", args=[commune.slug]),
                longitude=float(commune.longitude),
                latitude=float(commune.latitude),
                value=row.total,
                display=_("%(without)s of %(total)s villages without a partner")
                % {"without": row.without_partner, "total": row.total},
            )
        )
    return Map(
        id=id,
        title=title,
        marks=marks,
        value_heading=_("Ethnic-minority villages"),
        note=_unplaced(unplaced),
        legend_kinds=COVERAGE_KINDS,
    )


def _unplaced(names):
    """What a map leaves out for want of a point, said under it ("" for nothing)."""
    if not names:
        return ""
    return _("Not on the map (no place recorded): %(names)s.") % {"names": ", ".join(names)}


def needs_map(rows, title=None):
    """The places of a page of the needs board (activities.reports.needs rows), each sized by
    its needs there, coloured by whether it has a partner yet; a place without a point (nor
    one above it) is said in the note."""
    labels = {
        "cov-none": _("no partner yet"),
        "cov-all": _("has a partner"),
    }
    places, unplaced = {}, []
    for row in rows:
        place = row.need.locality
        if row.latitude is None:
            if place.name not in unplaced:
                unplaced.append(place.name)
            continue
        kind = "cov-all" if row.has_partner else "cov-none"
        count = places[place.pk][1] + 1 if place.pk in places else 1
        places[place.pk] = (row, count, kind)
    marks = [
        Mark(
            key=row.need.locality_id,
            name=row.need.locality.name,
            kind=kind,
            kind_label=labels[kind],
            url=reverse("localities:detail", args=[row.need.locality.slug]),
            longitude=row.longitude,
            latitude=row.latitude,
            value=count,
            display=ngettext("%(n)s need on this page", "%(n)s needs on this page", count)
            % {"n": count},
            placed_by_parent=row.by_parent,
        )
        for row, count, kind in places.values()
    ]
    return Map(
        id="map-needs",
        title=title or _("The places of this page's needs"),
        marks=marks,
        value_heading=_("Needs"),
        note=_unplaced(unplaced),
        legend_kinds=("cov-none", "cov-all"),
    )

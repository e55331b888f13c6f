"""Maps drawn on the server as SVG (issue 14), as the charts are (ketnghia.charts): no tiles,
no script, nothing fetched from elsewhere; they print and fit a phone.

A map is a list of `Mark`s (a locality at its point: a circle sized by its figure, coloured by
its kind, a link to its page) and `Link`s (a line between two partners), drawn over the outline
of Viet Nam (localities/data/outline-vn-4.1.0.json, Natural Earth, public domain), with the
Hoàng Sa and Trường Sa archipelagos drawn and named as Viet Nam's.

The frame is the marks' box with a margin (never narrower than MIN_SPAN degrees: one commune
is not drawn alone on a blank sheet), or the whole country (`whole_country=True`). The
projection is equirectangular, the longitudes scaled by the cosine of the frame's middle
latitude: at Viet Nam's latitudes, and at a province's size, it is as true as the points.

Every mark is a link a keyboard reaches (Tab) and a screen reader names ("Xã Ia Dơk", in its
language); the page gives its kind and figure in a table beside the map
(templates/maps/_map.html). Here is the drawing only: the site names, sizes and links the marks
(ketnghia.maps), and the admin places a unit by a click (point_picker).
"""

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from localities.languages import VIETNAMESE, language

OUTLINE = Path(__file__).resolve().parent / "data" / "outline-vn-4.1.0.json"
WIDTH = 400
MARGIN = 0.15  # of the frame's span, on each side
MIN_SPAN = 0.8  # degrees
# A point of an outline closer than this (in the frame's units) to the one before is not written.
STEP = 1.2
OUTSIDE_STEP = 40.0
DOT = 0.8  # half the side of the dot an islet too small to draw is shown as
MIN_RADIUS = 3.0
PICKED_RADIUS = 5.0  # the point being placed in the admin
MAX_RADIUS = 11.0
# The whole country, with its archipelagos: (west, south, east, north).
COUNTRY = (102.0, 6.3, 117.6, 23.5)
# Where each archipelago's name is written: the middle of the text, above its islands.
ARCHIPELAGOS = {"hoang_sa": (112.0, 17.6), "truong_sa": (114.0, 11.4)}

# The kinds a mark may have (Locality.kind; "former" for a dissolved unit), in the legend's
# order; site.css colours each (.map .k-<kind>, .swatch.kind-<kind>), distinct in grey too.
KINDS = (
    "province",
    "district",
    "ward",
    "commune",
    "special_zone",
    "village",
    "military_unit",
    "agency",
    "former",
)


@functools.cache
def outline():
    with open(OUTLINE, encoding="utf-8") as source:
        return json.load(source)


@functools.lru_cache(maxsize=128)
def _outline_path(frame, width, parts, keep_small):
    """The country's outline (the rings of `parts`) as a path on a map of `frame` and `width`:
    the same for every map of that frame, a dashboard's whoever reads it, so made once (a
    pass over some ten thousand points)."""
    projection = Map(id="", title="", width=width)
    projection.__dict__["frame"] = frame  # what the cached property would hold
    data = outline()
    return projection._path([ring for part in parts for ring in data[part]], keep_small)


@dataclass(frozen=True)
class Mark:
    key: int  # the locality's id
    name: str
    kind: str  # Locality.kind, or "former"
    kind_label: str
    url: str
    longitude: float
    latitude: float
    value: float  # sets the circle's area
    display: str  # the figure as written ("3 giao ước")
    placed_by_parent: bool = False  # drawn at the unit it lies in (a village at its commune)


@dataclass(frozen=True)
class Link:
    first: int  # Mark keys
    second: int
    agreements: int = 1


@dataclass
class Map:
    id: str  # unique in the page: prefixes the SVG's own ids
    title: str
    marks: list[Mark] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    whole_country: bool = False
    interactive: bool = True  # marks that are links a keyboard and a screen reader reach
    picker: bool = False  # the admin's map to place a locality by a click (point_picker)
    width: int = WIDTH
    value_heading: str = ""  # the table's heading of the marks' figures
    note: str = ""  # what the map leaves out, said under it
    legend_kinds: tuple = KINDS  # the kinds of mark, in the legend's order

    def __bool__(self):
        return bool(self.marks)

    @functools.cached_property
    def frame(self):
        """(west, south, east, north) in degrees."""
        if self.whole_country or not self.marks:
            return COUNTRY
        west = min(m.longitude for m in self.marks)
        east = max(m.longitude for m in self.marks)
        south = min(m.latitude for m in self.marks)
        north = max(m.latitude for m in self.marks)
        span = max(east - west, north - south, MIN_SPAN)
        middle_x, middle_y = (west + east) / 2, (south + north) / 2
        half = span * (0.5 + MARGIN)
        return (middle_x - half, middle_y - half, middle_x + half, middle_y + half)

    @functools.cached_property
    def cos(self):
        _west, south, _east, north = self.frame
        return math.cos(math.radians((south + north) / 2))

    @functools.cached_property
    def scale(self):
        west, _south, east, _north = self.frame
        return self.width / ((east - west) * self.cos)

    @property
    def height(self):
        _west, south, _east, north = self.frame
        return round((north - south) * self.scale)

    def xy(self, longitude, latitude):
        west, _south, _east, north = self.frame
        scale = self.scale
        return ((longitude - west) * self.cos * scale, (north - latitude) * scale)

    def _path(self, rings, keep_small=False):
        """The rings as one path, in the frame's units: a point closer than STEP to the last
        one written is left out (OUTSIDE_STEP beyond the frame, where no one sees the shape):
        the country's outline is a few kilobytes at any frame. With `keep_small`, a ring too
        small to keep three points (an islet at the country's scale) is drawn as a dot."""
        west, south, east, north = self.frame
        span_x, span_y = east - west, north - south
        inside = (west - span_x, south - span_y, east + span_x, north + span_y)
        parts = []
        for ring in rings:
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                continue  # outside the frame: not written
            kept, last = [], None
            for x, y in ring:
                seen = inside[0] <= x <= inside[2] and inside[1] <= y <= inside[3]
                step = STEP if seen else OUTSIDE_STEP
                point = self.xy(x, y)
                if last is None or abs(point[0] - last[0]) + abs(point[1] - last[1]) >= step:
                    kept.append(point)
                    last = point
            if len(kept) >= 3:
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
            elif keep_small:
                x = sum(self.xy(*p)[0] for p in ring) / len(ring)
                y = sum(self.xy(*p)[1] for p in ring) / len(ring)
                parts.append(f"M{x - DOT:.1f},{y - DOT:.1f}h{2 * DOT:g}v{2 * DOT:g}h{-2 * DOT:g}Z")
        return "".join(parts)

    def _land(self, parts, keep_small=False):
        return _outline_path(self.frame, self.width, parts, keep_small)

    def radius(self, mark):
        largest = max((m.value for m in self.marks), default=0) or 1
        return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(max(mark.value, 0) / largest)

    @functools.cached_property
    def svg(self):
        """The map as inline SVG. Written here, not in a template (a mark is a few numbers and
        a link; a map has up to a hundred). Every text is escaped; colours and strokes are
        site.css's (.map .k-<kind>). A map that is not `interactive` (the same marks again, on
        another frame) is hidden from screen readers and has no links."""
        height = self.height
        if self.interactive:
            head = f'role="group" aria-labelledby="{escape(self.id)}-title"'
        else:
            head = 'aria-hidden="true" focusable="false"'
        if self.picker:
            # What point-picker.js needs to turn a click into degrees.
            west, _south, _east, north = self.frame
            head += (
                f' data-west="{west:.6f}" data-north="{north:.6f}" data-cos="{self.cos:.6f}" '
                f'data-scale="{self.scale:.6f}" id="{escape(self.id)}"'
            )
        # As wide as its column whatever the stylesheet (width 100%, its height from the
        # viewBox): never wider than a phone, even before site.css applies.
        parts = [
            f'<svg class="map" viewBox="0 0 {self.width} {height}" width="100%" {head}>',
            f'<rect class="outside" width="{self.width}" height="{height}"/>',
            f'<path class="land" d="{self._land(("mainland",))}"/>',
            f'<path class="land islands" '
            f'd="{self._land(("hoang_sa", "truong_sa"), keep_small=True)}"/>',
        ]
        west, south, east, north = self.frame
        names = {
            "hoang_sa": _("Hoàng Sa archipelago"),
            "truong_sa": _("Trường Sa archipelago"),
        }
        country = _("Viet Nam")
        for key, name in names.items():
            longitude, latitude = ARCHIPELAGOS[key]
            if west <= longitude <= east and south <= latitude <= north:
                x, y = self.xy(longitude, latitude)
                parts.append(
                    f'<text class="place-name" x="{x:.1f}" y="{y:.1f}">'
                    f"{escape(name)} ({escape(country)})</text>"
                )
        by_key = {mark.key: mark for mark in self.marks}
        strongest = max((link.agreements for link in self.links), default=1)
        # A map that repeats another's marks on a larger frame draws no lines: at the
        # country's scale they would join dots a few pixels apart.
        for link in self.links if self.interactive else ():
            first, second = by_key.get(link.first), by_key.get(link.second)
            if first is None or second is None:
                continue
            x1, y1 = self.xy(first.longitude, first.latitude)
            x2, y2 = self.xy(second.longitude, second.latitude)
            width = 0.8 + 2.2 * link.agreements / strongest
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke-width="{width:.1f}"/>'
            )
        # The largest first, so that a small mark is drawn over a large one and stays reachable.
        names_lang = "" if language() == VIETNAMESE else f' lang="{VIETNAMESE}"'
        for mark in self.rows:
            x, y = self.xy(mark.longitude, mark.latitude)
            if mark.kind == "centre":
                # The unit it lies in, for the clerk placing it: a dot and its name.
                parts.append(
                    f'<circle class="k-centre" cx="{x:.1f}" cy="{y:.1f}" r="3"/>'
                    f'<text class="place-name" x="{x:.1f}" y="{y - 6:.1f}">'
                    f"{escape(mark.name)}</text>"
                )
                continue
            radius = PICKED_RADIUS if self.picker else self.radius(mark)
            circle = (
                f'<circle class="k-{escape(mark.kind)}" cx="{x:.1f}" cy="{y:.1f}" '
                f'r="{radius:.1f}"/>'
            )
            if self.interactive:
                # Named by its name alone, in its own language (the table says the rest).
                circle = (
                    f'<a href="{escape(mark.url)}" aria-label="{escape(mark.name)}"{names_lang}>'
                    f"{circle}</a>"
                )
            parts.append(circle)
        parts.append("</svg>")
        return mark_safe("".join(parts))

    @property
    def legend(self):
        """(kind, label) of each kind drawn, in the order of `legend_kinds` (site.css colours
        the swatches as the marks: .swatch.kind-<kind>)."""
        seen = {}
        for mark in self.marks:
            seen.setdefault(mark.kind, mark.kind_label)
        return [(kind, seen[kind]) for kind in self.legend_kinds if kind in seen]

    @property
    def rows(self):
        """The table beside the map: the marks, the largest first."""
        return sorted(self.marks, key=lambda m: (-m.value, m.name))


def point_picker(locality):
    """The admin's map to place a locality by a click (static/ketnghia/point-picker.js): its
    point marked, framed around it, or around the unit it lies in, or the whole country."""
    found = None
    for unit in (locality, getattr(locality, "parent", None)):
        if unit is not None and unit.latitude is not None and unit.longitude is not None:
            found = unit
            break
    marks = []
    if locality is not None and locality.latitude is not None and locality.longitude is not None:
        marks.append(
            Mark(
                key=locality.pk or 0,
                name=locality.name,
                kind="picked",
                kind_label="",
                url="",
                longitude=float(locality.longitude),
                latitude=float(locality.latitude),
                value=1,
                display="",
            )
        )
    centre = []
    if found is not None and not marks:
        centre = [
            Mark(
                0,
                found.name,
                "centre",
                "",
                "",
                float(found.longitude),
                float(found.latitude),
                0,
                "",
            )
        ]
    drawn = Map(
        id="point-picker",
        title=_("Click on the map to set the point"),
        marks=marks or centre,
        whole_country=found is None,
        interactive=False,
        picker=True,
    )
    return drawn

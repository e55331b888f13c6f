"""Writes that touch many localities at once: importing the official register of units.

The register (`data/register-<version>.json`, see `data/README.md`) lists the 34 provinces and
their 3,321 communes, wards and special zones after 1-7-2025, plus the former district-level units
the project records. Rows are matched by official code; nothing is ever deleted and a slug, once
set, never changes, so public URLs stay stable.
"""

import datetime
import functools
import json
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from localities import changes, signals, text
from localities.models import Locality

REGISTER_PATH = Path(__file__).resolve().parent / "data" / "register-2026.9.0.json"
# The centroid of each unit of the register, by code (localities/data/README.md).
POINTS_PATH = Path(__file__).resolve().parent / "data" / "points-1.0.4.json"
BATCH_SIZE = 500

# How provinces are named and typed: "Tỉnh Gia Lai", "Thành phố Huế", "TP. Hồ Chí Minh".
_NAME_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp.", "tp ")
_SLUG_PREFIXES = ("tinh-", "thanh-pho-")
# Stored as data, so written in the site's first language with the English after it.
_FORMER_NOTE = (
    "Giải thể từ ngày {date}, khi các đơn vị hành chính cấp huyện chấm dứt hoạt động. "
    "(Dissolved on {date}, when district-level units ended.)"
)
_SYNCED_FIELDS = ("name", "kind", "parent_id")


class UnknownProvinceError(ValueError):
    pass


@functools.cache
def load_register(path=REGISTER_PATH):
    """The register as stored in the project (read once per process; do not mutate it)."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_points(path=POINTS_PATH):
    """{code: (latitude, longitude)} of the register's units, as Decimals."""
    with open(path, encoding="utf-8") as f:
        points = json.load(f)["points"]
    return {
        code: (Decimal(str(latitude)), Decimal(str(longitude)))
        for code, (latitude, longitude) in points.items()
    }


def place_points(codes):
    """Give the units of `codes` without a point their centroid: a point staff entered stays.
    Returns how many units got one."""
    points = load_points()
    placed = []
    for loc in Locality.objects.filter(code__in=codes, latitude__isnull=True).only("id", "code"):
        if loc.code in points:
            loc.latitude, loc.longitude = points[loc.code]
            placed.append(loc)
    Locality.objects.bulk_update(placed, ["latitude", "longitude"], batch_size=BATCH_SIZE)
    return len(placed)


def _province_key(name):
    key = text.search_key(name)
    for prefix in _NAME_PREFIXES:
        if key.startswith(prefix):
            return key.removeprefix(prefix).strip()
    return key


def find_province(register, query):
    """The register's province for a code ("52", "1") or a name ("gia lai", "Tỉnh Gia Lai")."""
    query = str(query).strip()
    if query.isdigit():
        matches = [p for p in register["provinces"] if p["code"] == query.zfill(2)]
    else:
        key = _province_key(query)
        matches = [p for p in register["provinces"] if _province_key(p["name"]) == key]
    if not query or not matches:
        raise UnknownProvinceError(
            _(
                "No province or centrally-run city matches “%(query)s”. Give its two-digit code "
                "(for example 52) or its name (for example Gia Lai)."
            )
            % {"query": query}
        )
    return matches[0]


def _short_slug(province_slug):
    """'tinh-gia-lai' → 'gia-lai'; 'thanh-pho-ha-noi' → 'ha-noi'."""
    for prefix in _SLUG_PREFIXES:
        if province_slug.startswith(prefix):
            return province_slug.removeprefix(prefix)
    return province_slug


def register_slugs(register):
    """Code → slug for every unit of the register, the same on every installation.

    A slug is the name's ("Xã Ia Dơk" → "xa-ia-dok"). Where several units share it nationally
    (several "Phường An Phú", or "Xã Thạnh Trị" and "Xã Thanh Trì"), each gets its province's
    name too ("phuong-an-phu-gia-lai"); where that still is not enough (two "Xã Tân Thạnh" in
    one province), its code as well.
    """
    entries = []  # (code, slug from the name, province's short slug or None)
    province_short = {}
    for province in register["provinces"]:
        slug = text.slugify(province["name"])
        province_short[province["code"]] = _short_slug(slug)
        entries.append((province["code"], slug, None))
        for unit in province["units"]:
            entries.append((unit["code"], text.slugify(unit["name"]), _short_slug(slug)))
    for unit in register["former_units"]:
        entries.append((unit["code"], text.slugify(unit["name"]), province_short[unit["province"]]))

    seen = Counter(slug for _code, slug, _short in entries)
    slugs = {
        code: f"{slug}-{short}" if seen[slug] > 1 and short else slug
        for code, slug, short in entries
    }
    seen = Counter(slugs.values())
    slugs = {code: f"{slug}-{code}" if seen[slug] > 1 else slug for code, slug in slugs.items()}
    if len(set(slugs.values())) != len(slugs):
        raise RuntimeError("The register's slugs are not unique.")
    return slugs


class _Writer:
    """Creates or updates register rows in bulk, counting per province."""

    def __init__(self, slugs):
        self.slugs = slugs
        self.now = timezone.now()
        self.counts = defaultdict(Counter)  # province code → created / updated / unchanged
        self.updated = []  # (name, code) of every row changed
        self.moved = set()  # ids of the units given another parent
        self.described = set()  # ids of the units given another kind
        self.existing = {
            loc.code: loc
            for loc in Locality.objects.filter(code__isnull=False).only(
                "id", "code", "name", "kind", "parent", "search_key", "slug"
            )
        }
        # Every slug in use, register rows and staff-made villages alike.
        self.taken = set(Locality.objects.values_list("slug", flat=True))

    def new_slug(self, code):
        slug = self.slugs[code]
        if slug in self.taken:  # a village or agency added by staff already has it
            slug = f"{slug}-{code}"
        n = 2
        while slug in self.taken:
            slug = f"{self.slugs[code]}-{code}-{n}"
            n += 1
        self.taken.add(slug)
        return slug

    def sync(self, rows):
        """rows: (province code, {code, name, kind, parent_id}) for units of one level."""
        to_create, to_update = [], []
        for province_code, row in rows:
            loc = self.existing.get(row["code"])
            if loc is None:
                loc = Locality(
                    code=row["code"],
                    name=row["name"],
                    kind=row["kind"],
                    parent_id=row["parent_id"],
                    slug=self.new_slug(row["code"]),
                    search_key=text.search_key(row["name"]),
                )
                to_create.append(loc)
                self.existing[loc.code] = loc
                self.counts[province_code]["created"] += 1
            elif self._update(loc, row):
                to_update.append(loc)
                self.counts[province_code]["updated"] += 1
            else:
                self.counts[province_code]["unchanged"] += 1
        # Bulk writes bypass save(): the search key was set above, created_at by the field; the
        # units moved under another parent say so (their figures count elsewhere).
        moved = [loc.pk for loc in to_update if loc.pk in self.moved]
        described = [loc.pk for loc in to_update if loc.pk in self.described]
        with changes.writing(units=moved, kinds=described):
            Locality.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            Locality.objects.bulk_update(
                to_update, [*_SYNCED_FIELDS, "search_key", "updated_at"], batch_size=BATCH_SIZE
            )
        if to_create or to_update:
            # bulk_update sends no model signal: the pages that show the register must know.
            signals.data_changed.send(sender=__name__)

    def _update(self, loc, row):
        changed = False
        for field in _SYNCED_FIELDS:
            if getattr(loc, field) != row[field]:
                if field == "parent_id" and loc.pk is not None:
                    self.moved.add(loc.pk)
                if field == "kind" and loc.pk is not None:
                    self.described.add(loc.pk)
                setattr(loc, field, row[field])
                changed = True
        search_key = text.search_key(loc.name)
        if loc.search_key != search_key:
            loc.search_key = search_key
            changed = True
        if changed:
            loc.updated_at = self.now
            self.updated.append((loc.name, loc.code))
        return changed

    def ids(self, codes):
        return dict(Locality.objects.filter(code__in=codes).values_list("code", "id"))

    def sync_former(self, unit, parent_id):
        """A former district-level unit: dissolved, with its successors (added, never removed)."""
        dissolved_on = datetime.date.fromisoformat(unit["dissolved_on"])
        wanted = {
            "code": unit["code"],
            "name": unit["name"],
            "kind": unit["kind"],
            "parent_id": parent_id,
        }
        loc = self.existing.get(unit["code"])
        if loc is None:
            loc = Locality(
                slug=self.new_slug(unit["code"]), search_key=text.search_key(unit["name"]), **wanted
            )
            changed = created = True
        else:
            loc = Locality.objects.get(pk=loc.pk)
            changed, created = self._update(loc, wanted), False
        if loc.dissolved_on != dissolved_on:
            loc.dissolved_on = dissolved_on
            changed = True
        if not loc.note:
            date = f"{dissolved_on.day}-{dissolved_on.month}-{dissolved_on.year}"
            loc.note = _FORMER_NOTE.format(date=date)
            changed = True
        if changed:
            loc.full_clean()
            loc.save()
        successor_ids = set(self.ids(unit["successors"]).values())
        missing = successor_ids - set(loc.successors.values_list("id", flat=True))
        if missing:
            # The through rows are written in bulk: the figures of the dissolved unit count in
            # its successors from now on.
            with changes.writing(units=[loc.pk]):
                loc.successors.add(*missing)
            changed = True
        if created:
            self.counts[unit["province"]]["created"] += 1
        elif changed:
            if (loc.name, loc.code) not in self.updated:
                self.updated.append((loc.name, loc.code))
            self.counts[unit["province"]]["updated"] += 1
        else:
            self.counts[unit["province"]]["unchanged"] += 1


def import_register(province=None, stdout=None):
    """Create or update the provinces and units of the register (one province, or all).

    `province` is a code ("52") or a name, diacritics and case ignored ("gia lai"); an unknown
    one raises UnknownProvinceError (a ValueError) and writes nothing. Returns the counts
    {"created", "updated", "unchanged"}; with `stdout`, also writes them per province and names
    every row it updated.
    """
    register = load_register()
    everything = province is None
    provinces = register["provinces"] if everything else [find_province(register, province)]
    province_codes = {p["code"] for p in provinces}
    slugs = register_slugs(register)

    with transaction.atomic():
        writer = _Writer(slugs)
        writer.sync(
            (
                p["code"],
                {"code": p["code"], "name": p["name"], "kind": p["kind"], "parent_id": None},
            )
            for p in provinces
        )
        province_ids = writer.ids(province_codes)
        writer.sync(
            (p["code"], {**unit, "parent_id": province_ids[p["code"]]})
            for p in provinces
            for unit in p["units"]
        )
        for unit in register["former_units"]:
            if unit["province"] in province_codes:
                writer.sync_former(unit, province_ids[unit["province"]])
        placed = place_points(
            [*province_codes, *(unit["code"] for p in provinces for unit in p["units"])]
        )
    if placed:
        # bulk_update sends no model signal: the pages that show the points must know.
        signals.data_changed.send(sender=__name__)

    totals = Counter()
    for counts in writer.counts.values():
        totals.update(counts)
    if stdout is not None:
        for p in provinces:
            stdout.write(
                _(
                    "%(province)s (%(code)s): created %(created)d, updated %(updated)d, "
                    "unchanged %(unchanged)d."
                )
                % {"province": p["name"], "code": p["code"], **_zeros(writer.counts[p["code"]])}
            )
        for name, code in writer.updated:
            stdout.write(_("Updated: %(name)s (%(code)s).") % {"name": name, "code": code})
        if placed:
            stdout.write(
                ngettext(
                    "%(count)s unit given its centroid as its point.",
                    "%(count)s units given their centroid as their point.",
                    placed,
                )
                % {"count": placed}
            )
    return {**_zeros(totals), "placed": placed}


def _zeros(counts):
    return {key: counts.get(key, 0) for key in ("created", "updated", "unchanged")}

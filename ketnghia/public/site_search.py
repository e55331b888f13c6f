"""One search for everything (issue 14): the box in every page's header, answered at
/tim-kiem/?q=… and by the open data (/api/v1/search/?q=…).

What is found, group by group, each counted:

- places: provinces, communes, wards, special zones and villages, former units included; a
  former unit is listed with the units that took over its area ("TP Pleiku" finds the city
  dissolved on 1 July 2025 and the wards that succeeded it), and they are found with it;
- units and agencies: military units, agencies and organisations;
- agreements, published ones only;
- programmes of published agreements;
- activities of published agreements.

Words: every word of the query (localities.text.search_words: diacritics, case and punctuation
ignored, "TP" spelt out) is found in the row's search key, in any order ("dok ia" finds "Xã Ia
Dơk"). On PostgreSQL, when no row of any group holds every word, the groups of names (all but
the activities) are searched again for names like the words (pg_trgm's word similarity, which
the trigram indexes answer): "pleiko" finds Pleiku. SQLite has no such second chance.

Order: in a group of names, the whole name first, then a name ending with the words, then the
words whole inside it, then the rest (ketnghia.public.locality_search); agreements and
programmes the newest first among equals; activities the newest first.

Cost, whatever the data size: a group costs its count (up to COUNT_UP_TO: "more than 1.000")
and, when it has any, its rows; a second chance (when nothing was found) as much again; the
places, one more (the successors of the former units found); the successors of the former
units shown, one.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from activities.models import LINE_FIELDS, Activity
from agreements.filters import MAX_QUERY_LENGTH, MAX_QUERY_WORDS
from agreements.models import Agreement, AgreementStatus, Programme
from ketnghia.public import locality_search
from localities.models import ADMINISTRATIVE_KINDS, Locality, LocalityKind, Succession
from localities.text import ABBREVIATIONS, search_words

# pg_trgm's "%>" on the keys searched by likeness, registered on those fields alone: the
# django.contrib.postgres app, which would register it everywhere, also hooks every new
# connection (a restore's into a database of its own among them).
for _model in (Locality, Agreement, Programme):
    _model._meta.get_field("search_key").register_lookup(TrigramWordSimilar)

# A group's rows on the page of every group, and on the page of one group.
PREVIEW = 5
PAGE_SIZE = 20
# Rows past this are "more than" it: a group is never counted whole.
COUNT_UP_TO = 1000
# Fewer characters than this find nothing (one letter is in every name).
MIN_CHARACTERS = 2
# A word as short as this is looked up in the activities only beside a longer one: the
# activities' trigram index cannot answer "xa" alone, and a million rows would be read.
SHORT_WORD = 2

PLACE_KINDS = (*ADMINISTRATIVE_KINDS, LocalityKind.VILLAGE)
UNIT_KINDS = (LocalityKind.MILITARY_UNIT, LocalityKind.AGENCY)


@dataclass(frozen=True, eq=False)
class Kind:
    """A group of results: `key` in the address (?kind=), its heading. Each is one object,
    compared and hashed as such (its heading is lazy, in the page's language)."""

    key: str
    label: str
    names: bool  # a group of names, searched again for names like the words on PostgreSQL
    plain_order: tuple  # past COUNT_UP_TO rows, the order of an index rather than a rank


PLACES = Kind("places", _("Places"), True, ("search_key", "pk"))
UNITS = Kind("units", _("Units and agencies"), True, ("search_key", "pk"))
AGREEMENTS = Kind("agreements", _("Agreements"), True, ("-signed_on", "-pk"))
PROGRAMMES = Kind("programmes", _("Programmes"), True, ("-starts_on", "-pk"))
ACTIVITIES = Kind("activities", _("Activities"), False, ("-starts_on", "-pk"))
KINDS = (PLACES, UNITS, AGREEMENTS, PROGRAMMES, ACTIVITIES)
BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass
class Group:
    """The rows of one kind found: `rows` those shown, `count` how many in all (at most
    COUNT_UP_TO, `more` when there are more), `similar` when they are names like the words
    rather than names holding them."""

    kind: Kind
    rows: list
    count: int
    more: bool = False
    similar: bool = False
    page: Page | None = None  # the page shown, on the page of one group

    @property
    def key(self):
        return self.kind.key

    @property
    def label(self):
        return self.kind.label


@dataclass
class Results:
    query: str  # what was typed, cut to MAX_QUERY_LENGTH
    words: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # the groups with rows, in KINDS order
    kind: Kind | None = None  # the one group asked for, if any
    too_short: bool = False  # fewer than MIN_CHARACTERS typed

    @property
    def total(self):
        return sum(group.count for group in self.groups)

    @property
    def more(self):
        return any(group.more for group in self.groups)


def words_of(query):
    """The words searched: cut as the agreement list cuts them."""
    return search_words(query[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class Match:
    """How a group's rows are found: `condition` on the row's search key, and `rank` of each
    row found (lower first), `successor_rank` that of a place found as a former one's
    successor rather than by its name."""

    condition: Q
    rank: object
    successor_rank: object
    similar: bool = False


def holding(words):
    """Every word in the key: ranked 0 for the whole name, 1 for a name ending with the words,
    2 for the words whole inside it, 3 for the rest."""
    rank = locality_search.name_rank(words)
    condition = Q(*(_word(word) for word in words))
    return Match(condition, rank, Value(2.5))


# "thanh pho" → "tp": a word spelt out from an abbreviation is found as the press writes it
# too ("TP. Pleiku" in a description).
ABBREVIATED = {spelt: short for short, spelt in ABBREVIATIONS.items()}


def _word(word):
    found = Q(search_key__contains=word)
    if word in ABBREVIATED:
        found |= Q(search_key__contains=f"{ABBREVIATED[word]}.") | Q(
            search_key__contains=f"{ABBREVIATED[word]} "
        )
    return found


def like(words):
    """On PostgreSQL, a stretch of the key like the words (pg_trgm's word similarity past its
    threshold, answered by the trigram indexes), the closest first."""

    phrase = " ".join(words)
    similarity = TrigramWordSimilarity(phrase, "search_key")
    return Match(
        Q(search_key__trigram_word_similar=phrase),
        Value(1.0) - similarity,
        Value(1.0),
        similar=True,
    )


LOCALITY_FIELDS = (
    "name",
    "slug",
    "kind",
    "code",
    "dissolved_on",
    "parent__name",
    "parent__slug",
    "parent__kind",
    "parent__code",
)


def _places(match):
    """Places found, and the units that succeeded a former one found (their ids read first:
    a handful, which the primary key's index answers beside the words' index)."""
    successors = list(
        Succession.objects.filter(
            predecessor__in=Locality.objects.filter(
                match.condition, dissolved_on__isnull=False
            ).values("pk")
        ).values_list("successor_id", flat=True)
    )
    condition = match.condition | Q(pk__in=successors) if successors else match.condition
    return (
        Locality.objects.filter(condition, kind__in=PLACE_KINDS)
        .select_related("parent")
        .only(*LOCALITY_FIELDS)
        .annotate(
            match_rank=Case(
                When(match.condition, then=match.rank),
                default=match.successor_rank,
                output_field=FloatField(),
            )
        )
        .order_by(
            "match_rank",
            F("dissolved_on").asc(nulls_first=True),
            "search_key",
            "parent__search_key",
            "pk",
        )
    )


def _units(match):
    return (
        Locality.objects.filter(kind__in=UNIT_KINDS)
        .filter(match.condition)
        .select_related("parent")
        .only(*LOCALITY_FIELDS)
        .annotate(match_rank=match.rank)
        .order_by("match_rank", F("dissolved_on").asc(nulls_first=True), "search_key", "pk")
    )


def _agreements(match):
    return (
        Agreement.objects.published()
        .filter(match.condition)
        .only("title", "title_en", "slug", "signed_on", "ended_on")
        .annotate(match_rank=match.rank)
        .order_by("match_rank", F("signed_on").desc(nulls_last=True), "-pk")
    )


def _programmes(match):
    return (
        Programme.objects.filter(agreement__status=AgreementStatus.PUBLISHED)
        .filter(match.condition)
        .select_related("agreement")
        .only(
            "name",
            "starts_on",
            "ends_on",
            "date_precision",
            "agreement__title",
            "agreement__title_en",
            "agreement__slug",
        )
        .annotate(match_rank=match.rank)
        .order_by("match_rank", "-starts_on", "-pk")
    )


def _activities(match):
    """The newest first (a rank would sort every activity found)."""
    return (
        Activity.objects.published()
        .filter(match.condition)
        .select_related("activity_type", "agreement", "giver", "recipient")
        .only(
            *LINE_FIELDS,
            "recipient_detail",
            "activity_type__slug",
            "giver__name",
            "giver__slug",
            "giver__kind",
            "giver__code",
            "recipient__name",
            "recipient__slug",
            "recipient__kind",
            "recipient__code",
        )
        .order_by("-starts_on", "-pk")
    )


QUERIES = {
    PLACES: _places,
    UNITS: _units,
    AGREEMENTS: _agreements,
    PROGRAMMES: _programmes,
    ACTIVITIES: _activities,
}


def rows_of(kind, words):
    """The group's rows holding the words; none for activities when every word is short."""
    if kind is ACTIVITIES and all(len(word) <= SHORT_WORD for word in words):
        return Activity.objects.none()
    return QUERIES[kind](holding(words))


def similar_rows_of(kind, words):
    """On PostgreSQL, the group's rows with a stretch like the words; None elsewhere, for the
    activities, and for fewer than three letters."""
    if connection.vendor != "postgresql" or not kind.names or len(" ".join(words)) < 3:
        return None
    return QUERIES[kind](like(words))


class _Counted:
    """A group's rows, counted up to COUNT_UP_TO, for a paginator."""

    def __init__(self, rows):
        self.rows = rows

    @cached_property
    def counted(self):
        return self.rows.order_by().values("pk")[: COUNT_UP_TO + 1].count()

    def count(self):
        return min(self.counted, COUNT_UP_TO)

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self):
        return self.count()


def _group(kind, rows, similar=False, page_number=None):
    """The group of `kind` found by `rows`: counted first (up to COUNT_UP_TO), then its first
    rows, or the page `page_number` of them. Past COUNT_UP_TO rows, in the group's plain order
    (an index's: names A–Z, the newest first) rather than ranked, which would sort them all."""
    counted = _Counted(rows)
    if not counted.counted:
        return Group(kind, [], 0, similar=similar, page=None)
    more = counted.counted > COUNT_UP_TO
    if more:
        counted.rows = rows.order_by(*kind.plain_order)
    if page_number is None:
        return Group(kind, list(counted.rows[:PREVIEW]), counted.count(), more, similar)
    page = Paginator(counted, PAGE_SIZE).get_page(page_number)
    return Group(kind, list(page.object_list), counted.count(), more, similar, page)


def search(query, kind=None, page=None):
    """The Results of `query`: every group with rows, or the group `kind` (a key of BY_KEY)
    alone, its page `page` of PAGE_SIZE rows."""
    query = str(query or "").strip()[:MAX_QUERY_LENGTH]
    chosen = BY_KEY.get(kind or "")
    words = words_of(query)
    results = Results(query=query, words=words, kind=chosen)
    if len("".join(words)) < MIN_CHARACTERS:
        results.too_short = bool(query)
        return results
    kinds = [chosen] if chosen else KINDS
    number = (page or 1) if chosen else None
    groups = [_group(each, rows_of(each, words), page_number=number) for each in kinds]
    if not any(group.count for group in groups):
        # Nothing holds the words: a typo, most likely. A second chance for the groups of
        # names (on PostgreSQL), only then: a word found anywhere is spelt as somewhere.
        for index, each in enumerate(kinds):
            if (similar := similar_rows_of(each, words)) is not None:
                groups[index] = _group(each, similar, similar=True, page_number=number)
    results.groups = [group for group in groups if group.count or chosen]
    _add_successors(results)
    return results


def _add_successors(results):
    """Each former place shown, with the units that succeeded it (one query)."""
    former = [
        row
        for group in results.groups
        if group.kind is PLACES
        for row in group.rows
        if row.dissolved_on
    ]
    if not former:
        return
    by_predecessor = {}
    successions = Succession.objects.filter(predecessor__in=former).select_related("successor")
    for succession in successions.order_by("successor__search_key", "successor_id"):
        by_predecessor.setdefault(succession.predecessor_id, []).append(succession.successor)
    for row in former:
        row.successors_shown = by_predecessor.get(row.pk, [])

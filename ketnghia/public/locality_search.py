"""The locality field of the public filters (the dashboards, the agreement list) and the
suggestions it offers as people type.

The field's parameter is ``locality``. Its value is a locality's slug (the dashboards' own
links, addresses people kept) or words typed in the field, searched in the register's names
as Locality.objects.search() does: every word, diacritics and case ignored ("ia dok" finds
"Xã Ia Dơk"). One match is applied; several are listed for the visitor to choose from; none
is said at the field. Either way the rest of the page is shown with its other filters.

A form that applies a locality carries its slug in a hidden field before the text field
(``?locality=<slug>&locality=<its name>``): sent again without JavaScript, it keeps the
locality even when other units share its name, and a name typed over it is searched instead.
The script (static/ketnghia/locality-search.js) sends one value: the slug of the suggestion
chosen, or the words typed.

Each read is one query over the register, cut to a few rows, whatever its size.
"""

from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from agreements.filters import MAX_QUERY_LENGTH, MAX_QUERY_WORDS
from localities.models import Locality
from localities.text import search_key, search_words

# Slugs are at most this long (Locality.slug); longer text is cut, not refused.
MAX_LENGTH = 220
# Matches listed at the field, for a visitor without JavaScript to choose from.
MAX_MATCHES = 20
# Suggestions as one types, and the characters typed before any is offered.
MAX_SUGGESTIONS = 10
MIN_CHARACTERS = 2

NOT_FOUND = _("No locality or unit matches “%(text)s”.")
SEVERAL = _("Several localities and units match “%(text)s”: choose one.")


@dataclass(frozen=True)
class LocalityChoice:
    """What the field was sent and what it names: the locality applied, or the matches to
    choose from, or neither (nothing matched, or nothing was sent)."""

    text: str = ""  # the slug or words sent, cut to MAX_LENGTH
    locality: Locality | None = None
    matches: list = field(default_factory=list)  # several matched: the first MAX_MATCHES
    more: bool = False  # more than MAX_MATCHES matched

    @property
    def shown(self):
        """The field's text: the applied locality's name, or what was sent."""
        return self.locality.name if self.locality is not None else self.text

    @property
    def error(self):
        """Why no locality is applied to what was sent ("" when one is, or none was sent)."""
        if not self.text or self.locality is not None:
            return ""
        return (SEVERAL if self.matches else NOT_FOUND) % {"text": self.text}


def _words(query):
    return search_words(query[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS]


def _search(words):
    """Locality.objects.search() for the words kept (cut as the agreement search cuts them);
    nothing for no word."""
    if not words:
        return Locality.objects.none()
    return Locality.objects.search(" ".join(words))


def name_rank(words, *first):
    """How closely a name (its search key) matches the words, the closest lowest: `first`
    ((condition, rank) pairs, ranks below 0), then 0 for the whole name, 1 for a name ending
    with the words ("ia dok": Xã Ia Dơk), 2 for the words whole inside it, 3 for the rest."""
    phrase = " ".join(words)
    return Case(
        *(When(condition, then=Value(value)) for condition, value in first),
        When(search_key=phrase, then=Value(0)),
        When(search_key__endswith=f" {phrase}", then=Value(1)),
        When(
            Q(search_key__startswith=f"{phrase} ") | Q(search_key__contains=f" {phrase} "),
            then=Value(2),
        ),
        default=Value(3),
        output_field=IntegerField(),
    )


def _ranked(queryset, words, *first):
    """The matches, the closest first (name_rank); units in existence before dissolved ones,
    then by name and parent."""
    rank = name_rank(words, *first)
    return queryset.annotate(match_rank=rank).order_by(
        "match_rank",
        F("dissolved_on").asc(nulls_first=True),
        "search_key",
        "parent__search_key",
        "pk",
    )


def suggestions(query):
    """At most MAX_SUGGESTIONS localities whose names hold every word of `query`, closest
    first, with their parents; none under MIN_CHARACTERS. One query."""
    words = _words(query.strip())
    if len(query.strip()) < MIN_CHARACTERS or not words:
        return []
    places = (
        _search(words)
        .select_related("parent")
        .only("name", "slug", "kind", "dissolved_on", "parent__name")
    )
    return list(_ranked(places, words)[:MAX_SUGGESTIONS])


def resolve(values, related=("parent",)):
    """The LocalityChoice for the field's values (every ``locality`` of the address, in
    order): the last is the text, the one before it a slug the form carried. One query, none
    for an empty field; `related`: the relations to load with each locality."""
    values = [str(value) for value in values]
    text = values[-1].strip()[:MAX_LENGTH] if values else ""
    if not text:
        return LocalityChoice()
    carried = values[-2].strip()[:MAX_LENGTH] if len(values) > 1 else ""
    words = _words(text)
    # A slug linked or typed; before it, the carried slug while the text is still its name.
    first = [(Q(slug=text), -1)]
    if carried:
        first.insert(0, (Q(slug=carried, search_key=search_key(text)), -2))
    named = Q()
    for condition, _rank in first:
        named |= condition
    places = _ranked(
        (_search(words) | Locality.objects.filter(named)).select_related(*related), words, *first
    )
    rows = list(places[: MAX_MATCHES + 1])
    if not rows:
        return LocalityChoice(text=text)
    whole_names = [row for row in rows if row.match_rank == 0]
    if rows[0].match_rank < 0 or len(rows) == 1:
        return LocalityChoice(text=text, locality=rows[0])
    if len(whole_names) == 1:
        # The whole name, typed or sent again: it, rather than the longer names holding it.
        return LocalityChoice(text=text, locality=whole_names[0])
    return LocalityChoice(text=text, matches=rows[:MAX_MATCHES], more=len(rows) > MAX_MATCHES)

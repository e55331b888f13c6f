"""Public filters on published agreements, shared by the agreement list and the open-data API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, AgreementStatus, Commitment, Party
from localities import tree
from localities.models import LocalityKind
from localities.text import search_words

# Longer queries are cut here, not refused: a pasted paragraph still searches its first words.
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 10


STATUS_CHOICES = [("in_force", _("In force")), ("ended", _("Ended"))]
SORT_CHOICES = [
    ("signed", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("title", _("By name (A–Z)")),
]
DEFAULT_SORT = "signed"
SORT_ORDER = {
    "signed": ("-signed_on", "-id"),
    "oldest": ("signed_on", "id"),
    # The folded title sorts Đ with D and ignores marks: close to Vietnamese dictionary order
    # on both databases (PostgreSQL would otherwise put Đ after Z).
    "title": ("search_key", "id"),
}


class YearFilter(django_filters.NumberFilter):
    # A whole year inside what a date can hold: "2025.5" or "99999" are refused, not a 500.
    field_class = forms.IntegerField


def _party_exists(*conditions, **lookups):
    return Exists(Party.objects.filter(*conditions, agreement=OuterRef("pk"), **lookups))


class AgreementFilter(django_filters.FilterSet):
    """Filters over published agreements, with stable parameter names (the API documents them).

    Whatever queryset it is given, it only ever returns published agreements.

    - ``q``: words searched in the agreement's title, its parties' names and the names of the
      units they lie in (a commune's name finds its villages' agreements), diacritics, case and
      punctuation ignored ("an nhon bac", "IA DOK", "TP. Pleiku"); every word must match one of
      them. Cut to 100 characters and 10 words.
    - ``locality``: a locality's slug; agreements where it, or a unit up to three levels below it
      (a commune's villages, a province's communes and their villages), is a party in any role
      (signing or coordinating). An unknown slug gives no agreement.
    - ``party_kind``: a LocalityKind value (``commune``, ``ward``, ``village``,
      ``military_unit``…); agreements with at least one party of that kind.
    - ``year``: the year of signing (e.g. 2025).
    - ``area``: a commitment area's slug; agreements with a commitment in that area. An unknown
      slug gives no agreement.
    - ``status``: ``in_force`` (no end date, or one not yet passed) or ``ended`` (an end date in
      the past).
    - ``sort``: ``signed`` (newest first, the default), ``oldest``, or ``title`` (by the folded
      title, close to Vietnamese alphabetical order).

    An invalid value of ``party_kind``, ``year``, ``status`` or ``sort`` makes the form invalid:
    the list page ignores that parameter, the API answers 400.
    """

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    locality = django_filters.CharFilter(method="filter_locality", label=_("Locality or unit"))
    party_kind = django_filters.ChoiceFilter(
        choices=LocalityKind.choices, method="filter_party_kind", label=_("Kind of party")
    )
    year = YearFilter(
        field_name="signed_on",
        lookup_expr="year",
        min_value=1900,
        max_value=2999,
        label=_("Year signed"),
    )
    area = django_filters.CharFilter(method="filter_area", label=_("Commitment area"))
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label=_("In force or ended")
    )
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="sort_by", label=_("Sort"))

    class Meta:
        model = Agreement
        fields = ["q", "locality", "party_kind", "year", "area", "status", "sort"]

    def __init__(self, data=None, queryset=None, **kwargs):
        base = queryset if queryset is not None else Agreement.objects.all()
        base = base.filter(status=AgreementStatus.PUBLISHED).order_by(*SORT_ORDER[DEFAULT_SORT])
        super().__init__(data, queryset=base, **kwargs)

    def filter_q(self, queryset, name, value):
        words = search_words(value[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS]
        for word in words:
            # The title, a party's name, or the name of the unit a party lies in: a commune's
            # name finds its villages' agreements too.
            queryset = queryset.filter(
                Q(search_key__contains=word)
                | _party_exists(
                    Q(locality__search_key__contains=word)
                    | Q(locality__parent__search_key__contains=word)
                )
            )
        return queryset

    def filter_locality(self, queryset, name, value):
        # The unit, the units it succeeded and the units below them (localities.tree, as on
        # its page and dashboard): one subquery.
        roots = tree.lineage(slug=value)
        return queryset.filter(
            pk__in=Party.objects.filter(tree.in_or_below(roots, "locality")).values("agreement_id")
        )

    def filter_party_kind(self, queryset, name, value):
        return queryset.filter(_party_exists(locality__kind=value))

    def filter_area(self, queryset, name, value):
        return queryset.filter(
            Exists(Commitment.objects.filter(agreement=OuterRef("pk"), area__slug=value))
        )

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "ended":
            return queryset.ended(today)
        return queryset.in_force(today)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDER[value])

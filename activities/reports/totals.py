"""Totals and their qualifiers: what a sum of reported figures says (docs/counting.md, "Totals").

A reported figure carries a qualifier ("hơn 500 triệu", "gần 15.000 ngày công"); a total built
from such figures says so: exact figures only → exact; exact and "over" → over; exact and
"nearly" → nearly; any other mix → about. A record without the figure (gifts "worth over 100
million" with no count; 915 check-ups with no value) is not folded into the qualifier: the
total counts the records that have it and says beside it how many do not ("40 suất; 1 lần
không ghi số lượng"; "chưa định giá" when no record has a value). Pledged and delivered figures
are never added together.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from activities.figures import (
    format_quantity,
    format_quantity_marked,
    format_vnd,
    format_vnd_words,
    qualifier_word,
)
from activities.models import ActivityStatus, Measure, Qualifier, unit_in_english
from localities.languages import VIETNAMESE, language_of, localized

QUALIFIED = (Qualifier.OVER, Qualifier.ABOUT, Qualifier.NEARLY)


def combined_qualifier(over=0, about=0, nearly=0):
    """The qualifier of a sum, from how many of its figures were over, about or nearly."""
    kinds = {
        q
        for q, n in ((Qualifier.OVER, over), (Qualifier.ABOUT, about), (Qualifier.NEARLY, nearly))
        if n
    }
    if not kinds:
        return Qualifier.EXACT
    if len(kinds) == 1:
        return kinds.pop()
    return Qualifier.ABOUT


def not_valued():
    return pgettext("money", "not valued")


@dataclass(frozen=True)
class MoneyTotal:
    """The VND value of a set of activities: cash, and the value of goods and works.

    `value_vnd` is None when the set has activities and none of them has a value (0 for an
    empty set). `over`, `about`, `nearly`: how
    many of the values summed were reported so (the qualifier says it); `unvalued`: how many
    activities have no value and are not in the sum.
    """

    value_vnd: int | None
    over: int = 0
    about: int = 0
    nearly: int = 0
    unvalued: int = 0
    valued: int = 0  # activities with a value, in the sum

    @property
    def qualifier(self):
        return combined_qualifier(self.over, self.about, self.nearly)

    @property
    def is_valued(self):
        return self.value_vnd is not None

    @property
    def display(self):
        """'hơn 30.000.000 đ'; 'chưa định giá' when no activity has a value."""
        if self.value_vnd is None:
            return not_valued()
        return format_vnd(self.value_vnd, self.qualifier)

    @property
    def words(self):
        """'hơn 690 triệu đồng', for headlines."""
        if self.value_vnd is None:
            return not_valued()
        return format_vnd_words(self.value_vnd, self.qualifier)

    @property
    def note(self):
        """What the sum leaves out, said beside it: '3 hoạt động chưa định giá'."""
        if not self.unvalued or self.value_vnd is None:
            return ""
        return ngettext(
            "%(count)s activity not valued", "%(count)s activities not valued", self.unvalued
        ) % {"count": self.unvalued}

    def __add__(self, other):
        valued, unvalued = self.valued + other.valued, self.unvalued + other.unvalued
        value = (self.value_vnd or 0) + (other.value_vnd or 0)
        return MoneyTotal(
            value_vnd=value if valued or not unvalued else None,
            over=self.over + other.over,
            about=self.about + other.about,
            nearly=self.nearly + other.nearly,
            unvalued=unvalued,
            valued=valued,
        )


NO_MONEY = MoneyTotal(value_vnd=0)


@dataclass(frozen=True)
class TypeTotal:
    """The total of one activity type: its quantity in the type's unit and its value in VND,
    each with its qualifier and the number of records that did not give it."""

    type_id: int
    name: str
    slug: str
    unit: str
    measure: str
    status: str
    count: int
    quantity: Decimal | None  # None: no record gave a quantity
    quantity_qualifier: str
    quantity_missing: int  # records without a quantity, not in `quantity`
    money: MoneyTotal
    # The language of `name` and `unit`: Vietnamese on an English page when staff wrote no
    # English name for the type (localities.languages), which the templates then mark.
    lang: str = VIETNAMESE
    # The unit for any number and for exactly one ("houses", "house"; the same in Vietnamese):
    # `unit` is the one that reads after `quantity`; unit_totals sums by the first. The unit's
    # language may differ from the name's (a type named in English whose unit is not).
    unit_many: str = ""
    unit_one: str = ""
    unit_lang: str = VIETNAMESE

    @property
    def value_vnd(self):
        return self.money.value_vnd

    @property
    def value_qualifier(self):
        return self.money.qualifier

    @property
    def has_quantity(self):
        return self.quantity is not None and self.measure != Measure.MONEY

    @property
    def quantity_display(self):
        if not self.has_quantity:
            return ""
        return format_quantity(self.quantity, self.unit, self.quantity_qualifier)

    @property
    def quantity_html(self):
        """quantity_display as safe HTML, its unit marked when it is not in the page's
        language (for the pages; charts and exports take the text)."""
        if not self.has_quantity:
            return ""
        return format_quantity_marked(
            self.quantity, self.unit, self.unit_lang, self.quantity_qualifier
        )

    @property
    def quantity_note(self):
        """'1 lần không ghi số lượng': records of a counted type that gave no count."""
        if self.measure == Measure.MONEY or not self.quantity_missing:
            return ""
        return ngettext(
            "%(count)s record without a quantity",
            "%(count)s records without a quantity",
            self.quantity_missing,
        ) % {"count": self.quantity_missing}

    @property
    def value_display(self):
        return self.money.display if self.money.is_valued else ""

    @property
    def value_words(self):
        return self.money.words if self.money.is_valued else ""


@dataclass(frozen=True)
class UnitTotal:
    """A sum over types that share a unit (the km of roads repaired and of roads built)."""

    unit: str
    quantity: Decimal
    qualifier: str
    missing: int
    lang: str = VIETNAMESE  # the unit's (TypeTotal.unit_lang)

    @property
    def display(self):
        return format_quantity(self.quantity, self.unit, self.qualifier)

    @property
    def html(self):
        """display as safe HTML, the unit marked when it is not in the page's language."""
        return format_quantity_marked(self.quantity, self.unit, self.lang, self.qualifier)


# --- aggregates: the same measures from activities (live) or from summary rows ---------------

# The names every row of measures carries, from an aggregate over activities or a sum of
# summary rows (summaries.COLUMNS, in the same order). The sums are named apart from the
# activities' own fields, which an annotation may not shadow.
MEASURES = (
    "n",
    "quantity_sum",
    "value_sum",
    "quantity_over",
    "quantity_about",
    "quantity_nearly",
    "quantity_missing",
    "value_over",
    "value_about",
    "value_nearly",
    "value_missing",
)


def measures(prefix="", condition=None):
    """Aggregates over activities (reached by `prefix`, picked by `condition`) under the names
    of MEASURES: what a TypeTotal and a MoneyTotal are made from."""
    condition = condition or Q()

    def count(**lookups):
        return Count(
            f"{prefix}id", filter=condition & Q(**{f"{prefix}{k}": v for k, v in lookups.items()})
        )

    return {
        "n": Count(f"{prefix}id", filter=condition),
        "quantity_sum": Sum(f"{prefix}quantity", filter=condition),
        "value_sum": Sum(f"{prefix}value_vnd", filter=condition),
        **{f"quantity_{q}": count(quantity_qualifier=q, quantity__isnull=False) for q in QUALIFIED},
        "quantity_missing": count(quantity__isnull=True),
        **{f"value_{q}": count(value_qualifier=q, value_vnd__isnull=False) for q in QUALIFIED},
        "value_missing": count(value_vnd__isnull=True),
    }


def money(row):
    """A MoneyTotal from a row of MEASURES."""
    n, missing = row["n"] or 0, row["value_missing"] or 0
    return MoneyTotal(
        # Nothing at all is worth 0 đồng; activities none of which has a value are not valued.
        value_vnd=int(row["value_sum"] or 0) if n > missing or not n else None,
        over=row["value_over"] or 0,
        about=row["value_about"] or 0,
        nearly=row["value_nearly"] or 0,
        unvalued=missing,
        valued=n - missing,
    )


def type_total(row, status):
    """A TypeTotal from a row of MEASURES with the activity type's fields (TYPE_FIELDS)."""
    n, missing = row["n"] or 0, row["quantity_missing"] or 0
    quantity = _decimal(row["quantity_sum"]) if n > missing else None
    unit, unit_en = row["activity_type__unit"], row["activity_type__unit_en"]
    unit_en_one = row["activity_type__unit_en_one"]
    return TypeTotal(
        type_id=row["activity_type_id"],
        name=localized(row["activity_type__name"], row["activity_type__name_en"]),
        lang=language_of(row["activity_type__name"], row["activity_type__name_en"]),
        slug=row["activity_type__slug"],
        unit=localized(unit, unit_in_english(unit_en, unit_en_one, quantity)),
        unit_many=localized(unit, unit_en),
        unit_one=localized(unit, unit_in_english(unit_en, unit_en_one, 1)),
        unit_lang=language_of(unit, unit_en),
        measure=row["activity_type__measure"],
        status=status,
        count=n,
        quantity=quantity,
        quantity_qualifier=combined_qualifier(
            row["quantity_over"], row["quantity_about"], row["quantity_nearly"]
        ),
        quantity_missing=missing,
        money=money(row),
    )


def _decimal(value):
    # SQLite sums decimals as floats: back to hundredths, the field's precision.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# The names and units are in the page's language (localities.languages): a snapshot of figures
# is kept per language (snapshots.snapshot).
TYPE_FIELDS = (
    "activity_type_id",
    "activity_type__name",
    "activity_type__name_en",
    "activity_type__slug",
    "activity_type__unit",
    "activity_type__unit_en",
    "activity_type__unit_en_one",
    "activity_type__measure",
    "activity_type__position",
)


def totals_by_type(activities, status=ActivityStatus.DELIVERED):
    """Totals per activity type of `activities` (a queryset), pledged or delivered: one query."""
    rows = (
        activities.filter(status=status)
        .order_by()
        .values(*TYPE_FIELDS)
        .annotate(**measures())
        .order_by("activity_type__position", "activity_type__name")
    )
    return [type_total(row, status) for row in rows]


def money_total(activities, status=ActivityStatus.DELIVERED):
    """The VND value of `activities` of a status: one query."""
    return money(activities.filter(status=status).aggregate(**measures()))


def money_of(type_totals):
    """The MoneyTotal of a set of activities from its totals_by_type, without a query."""
    total = NO_MONEY
    for t in type_totals:
        total = total + t.money
    return total


def goods_of(type_totals):
    """The goods and works among type totals: non-money types with a quantity."""
    return [t for t in type_totals if t.has_quantity]


def unit_totals(type_totals):
    """The quantities of type totals summed by unit, in the order the units first appear: the
    total row of an agreement's results ("8 căn · hơn 50 km"). Money types are in the
    MoneyTotal, not here."""
    by_unit = {}
    for t in type_totals:
        if t.measure == Measure.MONEY or (t.quantity is None and not t.quantity_missing):
            continue
        key = t.unit_many or t.unit
        entry = by_unit.setdefault(
            key, {"quantity": Decimal(0), "q": [], "missing": 0, "one": key, "lang": t.unit_lang}
        )
        if t.unit_one and entry["one"] == key:  # a type of the unit that has a form for one
            entry["one"] = t.unit_one
        if t.quantity is not None:
            entry["quantity"] += t.quantity
            entry["q"].append(t.quantity_qualifier)
        entry["missing"] += t.quantity_missing
    return [
        UnitTotal(
            unit=entry["one"] if entry["quantity"] == 1 else unit,
            lang=entry["lang"],
            quantity=entry["quantity"],
            qualifier=combined_qualifier(*(entry["q"].count(q) for q in QUALIFIED)),
            missing=entry["missing"],
        )
        for unit, entry in by_unit.items()
        if entry["q"]
    ]


def explain_money(total):
    """Why a money total reads as it does, in sentences made from the same counts: printed
    beside the figure ("how to read these figures")."""
    lines = []
    parts = [
        (total.over, qualifier_word(Qualifier.OVER)),
        (total.about, qualifier_word(Qualifier.ABOUT)),
        (total.nearly, qualifier_word(Qualifier.NEARLY)),
    ]
    reported = [
        ngettext(
            "%(count)s value reported as “%(word)s”",
            "%(count)s values reported as “%(word)s”",
            n,
        )
        % {"count": n, "word": word}
        for n, word in parts
        if n
    ]
    if reported:
        lines.append(
            _("The total reads “%(qualifier)s” because it adds up %(parts)s.")
            % {"qualifier": qualifier_word(total.qualifier), "parts": ", ".join(reported)}
        )
    elif total.is_valued:
        lines.append(_("Every value in the total was reported as an exact figure."))
    if total.unvalued:
        lines.append(
            ngettext(
                "%(count)s activity has no value in dong and is not in the total: its "
                "quantity is shown by kind.",
                "%(count)s activities have no value in dong and are not in the total: their "
                "quantities are shown by kind.",
                total.unvalued,
            )
            % {"count": total.unvalued}
        )
    return lines

"""Every total shown anywhere — public pages, dashboards, exports — comes from these functions.

A reported figure carries a qualifier ("hơn 500 triệu", "gần 15.000 ngày công"); a total built
from such figures says so: exact figures only → exact; exact and "over" → over; exact and
"nearly" → nearly; any other mix → about. A part whose figure was not reported (gifts "worth
over 100 million" with no count) makes the known sum a lower bound: it counts as "over".
Pledged and delivered figures are never added together.
Each function runs a fixed number of queries, whatever the amount of data.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from activities.figures import format_quantity, format_vnd, format_vnd_words
from activities.models import Activity, ActivityStatus, Measure, Qualifier


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


@dataclass(frozen=True)
class TypeTotal:
    """The total of one activity type: its quantity in the type's unit and its value in VND."""

    type_id: int
    name: str
    slug: str
    unit: str
    measure: str
    status: str
    count: int
    quantity: Decimal | None
    quantity_qualifier: str
    value_vnd: int | None
    value_qualifier: str

    @property
    def quantity_display(self):
        if self.quantity is None or self.measure == Measure.MONEY:
            return ""
        return format_quantity(self.quantity, self.unit, self.quantity_qualifier)

    @property
    def value_display(self):
        return format_vnd(self.value_vnd, self.value_qualifier)

    @property
    def value_words(self):
        return format_vnd_words(self.value_vnd, self.value_qualifier)


def _quantity_counts():
    # A quantity's qualifier counts only where there is a quantity; a missing one, as "over".
    return {
        **{
            f"quantity_{q}": Count("id", filter=Q(quantity_qualifier=q, quantity__isnull=False))
            for q in (Qualifier.OVER, Qualifier.ABOUT, Qualifier.NEARLY)
        },
        "quantity_missing": Count("id", filter=Q(quantity__isnull=True)),
    }


def _value_counts():
    return {
        **{
            f"value_{q}": Count("id", filter=Q(value_qualifier=q, value_vnd__isnull=False))
            for q in (Qualifier.OVER, Qualifier.ABOUT, Qualifier.NEARLY)
        },
        "value_missing": Count("id", filter=Q(value_vnd__isnull=True)),
    }


def totals_by_type(activities, status=ActivityStatus.DELIVERED):
    """Totals per activity type of `activities` (a queryset), pledged or delivered: one query."""
    rows = (
        activities.filter(status=status)
        .order_by()
        .values(
            "activity_type_id",
            "activity_type__name",
            "activity_type__slug",
            "activity_type__unit",
            "activity_type__measure",
            "activity_type__position",
        )
        .annotate(
            n=Count("id"),
            total_quantity=Sum("quantity"),
            total_value=Sum("value_vnd"),
            **_quantity_counts(),
            **_value_counts(),
        )
        .order_by("activity_type__position", "activity_type__name")
    )
    return [
        TypeTotal(
            type_id=row["activity_type_id"],
            name=row["activity_type__name"],
            slug=row["activity_type__slug"],
            unit=row["activity_type__unit"],
            measure=row["activity_type__measure"],
            status=status,
            count=row["n"],
            quantity=row["total_quantity"],
            quantity_qualifier=combined_qualifier(
                row["quantity_over"] + row["quantity_missing"],
                row["quantity_about"],
                row["quantity_nearly"],
            ),
            value_vnd=row["total_value"],
            value_qualifier=combined_qualifier(
                row["value_over"] + row["value_missing"], row["value_about"], row["value_nearly"]
            ),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class MoneyTotal:
    value_vnd: int
    qualifier: str

    @property
    def display(self):
        return format_vnd(self.value_vnd, self.qualifier)

    @property
    def words(self):
        return format_vnd_words(self.value_vnd, self.qualifier)


def money_total(activities, status=ActivityStatus.DELIVERED):
    """The VND value of everything given (cash and the value of goods and works): one query.

    Goods or works reported without a value (915 check-ups) are worth something the sum cannot
    know: they make it a lower bound ("hơn").
    """
    row = activities.filter(status=status).aggregate(
        total_value=Sum("value_vnd"), **_value_counts()
    )
    return MoneyTotal(
        value_vnd=row["total_value"] or 0,
        qualifier=combined_qualifier(
            row["value_over"] + row["value_missing"], row["value_about"], row["value_nearly"]
        ),
    )


def published_activities():
    return Activity.objects.published()

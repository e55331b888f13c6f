"""An annual plan's progress: each item's target beside what was done (docs/counting.md, "Plans").

What was done is read from the activities linked to the item, never typed twice:

- only **delivered** activities count; a pledge is not progress;
- an activity counts when its **whole** date or period lies in the plan's year, as everywhere
  else (rules.in_period): a figure over 2025–2027 is counted in no year's plan, and the plan
  says how many linked figures over a period it leaves out (an activity is linked only to an
  item of its year: Activity.clean);
- a quantity target adds the linked activities' quantities (in the target type's unit: an
  activity is linked only to an item of its own type); a sum target adds their values in VND;
  a milestone is done once a linked activity is delivered;
- a total built from figures reported as "over", "about" or "nearly" keeps that word
  (totals.combined_qualifier), and a target is reached only by a total that is not "nearly".

An item is **dropped** when staff dropped it (with a reason), **done** when its target is
reached, **late** when its due date (or the end of the plan's year) has passed without that, and
**on track** otherwise.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.figures import format_number, format_quantity, format_vnd
from activities.models import (
    ActivityStatus,
    Plan,
    PlanItem,
    PlanStatus,
    Qualifier,
    TargetKind,
)
from activities.reports.totals import QUALIFIED, _decimal, combined_qualifier


class ItemStatus:
    ON_TRACK = "on_track"
    LATE = "late"
    DONE = "done"
    DROPPED = "dropped"

    LABELS = {
        ON_TRACK: gettext_lazy("On track"),
        LATE: gettext_lazy("Late"),
        DONE: gettext_lazy("Done"),
        DROPPED: gettext_lazy("Dropped"),
    }
    ORDER = (DONE, ON_TRACK, LATE, DROPPED)
    CHOICES = list(LABELS.items())


@dataclass(frozen=True)
class ItemProgress:
    """One plan item: its target, what the linked delivered activities of the year add up to,
    the share of the target reached, and its status."""

    item: PlanItem
    actual: Decimal | int  # a quantity, a sum in VND, or the number of activities (milestone)
    qualifier: str
    counted: int  # linked delivered activities within the plan's year
    missing: int  # of those, how many lack the figure the target is counted in
    left_out: int  # linked delivered activities not wholly within the plan's year
    status: str

    @property
    def kind(self):
        return self.item.target_kind

    @property
    def target(self):
        item = self.item
        if item.target_kind == TargetKind.QUANTITY:
            return item.target_quantity
        if item.target_kind == TargetKind.MONEY:
            return item.target_vnd
        return 1

    @property
    def target_display(self):
        item = self.item
        if item.target_kind == TargetKind.QUANTITY:
            unit = item.activity_type.unit_for(item.target_quantity)
            return format_quantity(item.target_quantity, unit)
        if item.target_kind == TargetKind.MONEY:
            return format_vnd(item.target_vnd)
        return _("Done (yes or no)")

    @property
    def actual_display(self):
        item = self.item
        if item.target_kind == TargetKind.MILESTONE:
            return _("Done") if self.counted else _("Not yet")
        if not self.counted:
            return _("Nothing recorded yet")
        if item.target_kind == TargetKind.QUANTITY:
            unit = item.activity_type.unit_for(self.actual)
            return format_quantity(self.actual, unit, self.qualifier)
        return format_vnd(self.actual, self.qualifier)

    @property
    def percent(self):
        """The share of the target reached, in whole percent rounded down (a milestone: 0 or
        100); more than 100 when the target is passed."""
        if self.item.target_kind == TargetKind.MILESTONE:
            return 100 if self.counted else 0
        target = Decimal(self.target)
        return int((Decimal(self.actual) * 100 / target).to_integral_value(ROUND_FLOOR))

    @property
    def percent_display(self):
        if self.item.target_kind == TargetKind.MILESTONE:
            return ""
        word = {Qualifier.OVER: "≥", Qualifier.NEARLY: "<", Qualifier.ABOUT: "~"}.get(
            self.qualifier, ""
        )
        return f"{word}{format_number(self.percent)}%"

    @property
    def bar_percent(self):
        return max(0, min(self.percent, 100))

    @property
    def status_label(self):
        return ItemStatus.LABELS[self.status]


@dataclass(frozen=True)
class PlanProgress:
    plan: Plan
    items: list = field(default_factory=list)

    def count(self, status):
        return sum(1 for progress in self.items if progress.status == status)

    @property
    def counts(self):
        """[(status, label, n)] for the statuses the plan has, in a fixed order."""
        return [
            (status, ItemStatus.LABELS[status], n)
            for status in ItemStatus.ORDER
            if (n := self.count(status))
        ]

    @property
    def left_out(self):
        return sum(progress.left_out for progress in self.items)


def _within_year(prefix=""):
    """The linked activity's whole date or period lies in its item's plan year."""
    return Q(**{f"{prefix}starts_on__year": F("plan__year")}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__year": F("plan__year")})
    )


def _measures():
    """Per item, over its linked delivered activities: the counted ones (within the year) with
    their quantity and value sums and qualifiers, and the ones left out."""
    # Of the plan's agreement and, for a quantity, of the target's type (Activity.clean checks
    # both when the link is made; a link made otherwise is not counted).
    delivered = Q(
        activities__status=ActivityStatus.DELIVERED,
        activities__agreement_id=F("plan__agreement_id"),
    ) & (
        ~Q(target_kind=TargetKind.QUANTITY) | Q(activities__activity_type_id=F("activity_type_id"))
    )
    within = delivered & _within_year("activities__")

    def count(**lookups):
        picked = Q(**{f"activities__{k}": v for k, v in lookups.items()})
        return Count("activities__id", filter=within & picked)

    return {
        "n_counted": Count("activities__id", filter=within),
        # Over a period beyond the year: the only figures a plan leaves out.
        "n_left_out": Count(
            "activities__id",
            filter=delivered & Q(activities__ends_on__isnull=False) & ~_within_year("activities__"),
        ),
        "quantity_sum": Sum("activities__quantity", filter=within),
        "value_sum": Sum("activities__value_vnd", filter=within),
        **{f"quantity_{q}": count(quantity_qualifier=q, quantity__isnull=False) for q in QUALIFIED},
        "quantity_missing": count(quantity__isnull=True),
        **{f"value_{q}": count(value_qualifier=q, value_vnd__isnull=False) for q in QUALIFIED},
        "value_missing": count(value_vnd__isnull=True),
    }


def _status(item, reached, today):
    if item.dropped:
        return ItemStatus.DROPPED
    if reached:
        return ItemStatus.DONE
    due = item.due_on or datetime.date(item.plan.year, 12, 31)
    return ItemStatus.LATE if today > due else ItemStatus.ON_TRACK


def _progress(item, today):
    n = item.n_counted
    if item.target_kind == TargetKind.QUANTITY:
        actual = _decimal(item.quantity_sum)
        prefix, missing = "quantity", item.quantity_missing
    elif item.target_kind == TargetKind.MONEY:
        actual = int(item.value_sum or 0)
        prefix, missing = "value", item.value_missing
    else:
        actual, prefix, missing = n, None, 0
    qualifier = (
        combined_qualifier(
            getattr(item, f"{prefix}_over"),
            getattr(item, f"{prefix}_about"),
            getattr(item, f"{prefix}_nearly"),
        )
        if prefix
        else Qualifier.EXACT
    )
    if item.target_kind == TargetKind.MILESTONE:
        reached = n > 0
    else:
        target = item.target_quantity if prefix == "quantity" else item.target_vnd
        reached = actual >= target and qualifier != Qualifier.NEARLY
    return ItemProgress(
        item=item,
        actual=actual,
        qualifier=qualifier,
        counted=n,
        missing=missing,
        left_out=item.n_left_out,
        status=_status(item, reached, today),
    )


def _items(plans):
    return (
        PlanItem.objects.filter(plan__in=plans)
        .select_related("plan__agreement", "area", "responsible", "activity_type")
        .annotate(**_measures())
        .order_by("-plan__year", "plan_id", "area__position", "area__name", "position", "id")
    )


def progress_of(plans, today=None):
    """The progress of each plan in ``plans`` (a queryset), in one query: [PlanProgress], the
    latest year first; a plan without items is left out."""
    today = today or timezone.localdate()
    result = {}
    for item in _items(plans):
        plan = result.setdefault(item.plan_id, PlanProgress(item.plan))
        plan.items.append(_progress(item, today))
    return list(result.values())


def plan_progress(plan, today=None):
    """One plan's progress (its items may be none): one query."""
    found = progress_of(Plan.objects.filter(pk=plan.pk), today)
    return found[0] if found else PlanProgress(plan)


def public_plans(agreement, today=None):
    """The approved plans of an agreement with their progress, the latest year first: what its
    public page shows. One query."""
    return progress_of(Plan.objects.filter(agreement=agreement, status=PlanStatus.APPROVED), today)


def plans_of_year(agreements, year, today=None):
    """{agreement id: PlanProgress} of the plans the province approved for `year`, of these
    agreements (ids): what a locality's page says beside each agreement. One query."""
    plans = Plan.objects.filter(agreement__in=agreements, year=year, status=PlanStatus.APPROVED)
    return {progress.plan.agreement_id: progress for progress in progress_of(plans, today)}

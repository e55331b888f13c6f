import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from agreements.documents import validate_document
from agreements.models import (
    Agreement,
    CommitmentArea,
    Event,
    Party,
    Source,
    date_precision_constraint,
    date_precision_field,
)
from agreements.uploads import photo_upload_to
from localities import changes, text, tree
from localities.languages import language_of, localized
from localities.models import Locality, LocalityKind

# The years a plan, an approved period or an indicator value is for (the twinning year is
# recorded from 1990), and those of a record of the past (an award, a report: from 1945).
PLAN_YEARS = [
    MinValueValidator(1990, message=_("Enter a year from 1990 on.")),
    MaxValueValidator(2100, message=_("Enter a year up to 2100.")),
]
HISTORY_YEARS = [
    MinValueValidator(1945, message=_("Enter a year from 1945 on.")),
    MaxValueValidator(2100, message=_("Enter a year up to 2100.")),
]


class Measure(models.TextChoices):
    MONEY = "money", _("Money (the value is the figure)")
    COUNT = "count", _("Count")
    LENGTH = "length", _("Length")
    TIME = "time", _("Time")


def unit_in_english(unit_en, unit_en_one, quantity):
    """The English unit after a quantity: the one for one when the quantity is exactly 1 and
    there is one ("1 house"), else the plural ("2 houses", "1.5 km"); none without a plural
    (the Vietnamese unit is shown for any number then, never English for one alone)."""
    if unit_en and unit_en_one and quantity is not None and quantity == 1:
        return unit_en_one
    return unit_en


class ActivityType(models.Model):
    """What was given or done, with its unit: houses (căn), road (km), check-ups (lượt người)…"""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, default="", db_default=""
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    unit = models.CharField(_("unit"), max_length=50, help_text=_("e.g. căn, km, lượt người."))
    unit_en = models.CharField(
        _("unit in English"),
        max_length=50,
        blank=True,
        default="",
        db_default="",
        help_text=_("e.g. houses, km, people."),
    )
    unit_en_one = models.CharField(
        _("unit in English, for one"),
        max_length=50,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "e.g. house, person: “1 house”. Left empty, the unit above is used for one too."
        ),
    )
    measure = models.CharField(
        _("measure"), max_length=10, choices=Measure.choices, default=Measure.COUNT
    )
    description = models.TextField(_("description"), blank=True)
    is_work = models.BooleanField(
        _("a work"),
        default=False,
        help_text=_(
            "Houses, roads, water works…: each activity of the type is listed by name among the "
            "main works of a written report."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__in=Measure.values),
                name="activities_activitytype_measure_valid",
                violation_error_message=_("Choose a valid measure."),
            ),
        ]

    def __str__(self):
        return self.label

    # The name and unit in the page's language (localities.languages).
    @property
    def label(self):
        return localized(self.name, self.name_en)

    def unit_for(self, quantity):
        """The unit after a quantity, in the page's language: "1 house", "2 houses"."""
        return localized(self.unit, unit_in_english(self.unit_en, self.unit_en_one, quantity))

    @property
    def unit_lang(self):
        return language_of(self.unit, self.unit_en)

    @property
    def label_lang(self):
        return language_of(self.name, self.name_en)


class Qualifier(models.TextChoices):
    """How exact a reported figure is: "hơn 500 triệu", "gần 15.000 ngày công"."""

    EXACT = "exact", _("exactly")
    OVER = "over", _("over")
    ABOUT = "about", _("about")
    NEARLY = "nearly", _("nearly")


class ActivityStatus(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    DELIVERED = "delivered", _("Delivered")


# What a line about an activity on a public page reads (its dates, its figure with its type's
# name and unit, its agreement's title and address): QuerySet.only's fields, with
# select_related("activity_type", "agreement").
LINE_FIELDS = (
    "starts_on",
    "ends_on",
    "date_precision",
    "status",
    "quantity",
    "quantity_qualifier",
    "value_vnd",
    "value_qualifier",
    "description",
    "activity_type__name",
    "activity_type__name_en",
    "activity_type__unit",
    "activity_type__unit_en",
    "activity_type__unit_en_one",
    "activity_type__measure",
    "agreement__title",
    "agreement__title_en",
    "agreement__slug",
)


class ActivityQuerySet(changes.ChangesQuerySet):
    def published(self):
        return self.filter(agreement__status="published")


class FunderKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    AGENCY = "agency", _("State agency or unit")
    ORGANISATION = "organisation", _("Association, fund or other organisation")
    INDIVIDUAL = "individual", _("Individual or benefactor")
    OTHER = "other", _("Other")


class Funder(models.Model):
    """Who paid for an activity when it was not the giver: an enterprise, a fund, an agency…

    One row per funder, whatever the spelling: the search key (the name without diacritics or
    case) is unique, so "Công ty ABC" and "cong ty abc" are the same funder.
    """

    name = models.CharField(
        _("name"), max_length=200, help_text=_("In full, e.g. Công ty TNHH Xây dựng Thành Công.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FunderKind.choices)
    search_key = models.CharField(_("search key"), max_length=200, editable=False)
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        unique=True,
        blank=True,
        help_text=_("Used in web addresses. Left empty, it is made from the name."),
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("unit of the register"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funders",
        help_text=_("Only when the funder is itself a unit of the register, e.g. an agency."),
    )
    note = models.TextField(
        _("internal note"),
        blank=True,
        help_text=_(
            "For staff only (sources, what is still to check): never shown on public pages."
        ),
    )

    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["search_key", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FunderKind.values),
                name="activities_funder_kind_valid",
                violation_error_message=_("Choose a valid kind of funder."),
            ),
            models.UniqueConstraint(
                fields=["search_key"],
                name="activities_funder_name_unique",
                violation_error_message=_(
                    "There is already a funder of this name (diacritics and case aside)."
                ),
            ),
            models.UniqueConstraint(
                fields=["locality"],
                name="activities_funder_locality_unique",
                violation_error_message=_("This unit of the register is already a funder."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The search key is derived from the name and must never drift from it, as for
        # localities; bulk writes (generate_national, migrations) call text.search_key themselves.
        self.search_key = text.search_key(self.name)
        if not self.slug:
            self.slug = free_funder_slug(self.name, exclude_pk=self.pk)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    def clean(self):
        # The key the unique constraint compares, as save() will store it.
        self.search_key = text.search_key(self.name)

    def validate_constraints(self, exclude=None):
        # A form leaves out the search key (it is not edited): it is the name's, so whenever
        # the name is checked, so is the key's uniqueness.
        if exclude and "name" not in exclude and "search_key" in exclude:
            exclude = set(exclude) - {"search_key"}
        super().validate_constraints(exclude=exclude)


def free_funder_slug(name, exclude_pk=None):
    """'cong-ty-abc', or 'cong-ty-abc-2' when another funder has it (names that differ only
    in punctuation share a slug)."""
    base = text.slugify(name)[:200] or "nha-tai-tro"
    taken = set(
        Funder.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class Activity(models.Model):
    """Something given or done under an agreement: on a date, or over a period."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("at event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="activities"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActivityStatus.choices,
        default=ActivityStatus.DELIVERED,
    )
    giver = models.ForeignKey(
        Locality,
        verbose_name=_("giver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities_given",
        help_text=_("Left empty when the parties act jointly."),
    )
    recipient = models.ForeignKey(
        Locality,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities_received",
    )
    recipient_detail = models.CharField(
        _("recipients in detail"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 20 gia đình nghèo tại 2 xã Biển Hồ, Tân Sơn."),
    )
    funder = models.ForeignKey(
        Funder,
        verbose_name=_("funded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("Only when someone other than the giver paid, e.g. an enterprise."),
    )
    starts_on = models.DateField(_("date or start of period"))
    ends_on = models.DateField(
        _("end of period"), null=True, blank=True, help_text=_("Only for a figure over a period.")
    )
    date_precision = date_precision_field()
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The quantity cannot be negative."))],
    )
    quantity_qualifier = models.CharField(
        _("quantity is"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    value_vnd = models.BigIntegerField(
        _("value (VND)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The value cannot be negative."))],
    )
    value_qualifier = models.CharField(
        _("value is"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    plan_item = models.ForeignKey(
        "PlanItem",
        verbose_name=_("plan item"),
        # An item with recorded activities is dropped with a reason, not deleted: deleting it
        # would unlink them silently, in a locked year too. Its agreement's deletion (which
        # takes the activities with it) is not held back.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("The item of the agreement's annual plan this activity carries out."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The description and the recipients in detail without diacritics, for the admin's search
    # (localities.admin.FoldedSearchMixin): "xi mang" finds "Xi măng".
    search_key = models.TextField(_("search key"), editable=False, blank=True, default="")

    objects = ActivityQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "search_key"])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_on", "-id"]
        constraints = [
            date_precision_constraint("activities_activity_date_precision_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values),
                name="activities_activity_status_valid",
                violation_error_message=_("Choose pledged or delivered."),
            ),
            models.CheckConstraint(
                condition=Q(quantity_qualifier__in=Qualifier.values)
                & Q(value_qualifier__in=Qualifier.values),
                name="activities_activity_qualifier_valid",
                violation_error_message=_("Choose exactly, over, about or nearly."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="activities_activity_quantity_not_negative",
                violation_error_message=_("The quantity cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(value_vnd__isnull=True) | Q(value_vnd__gte=0),
                name="activities_activity_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=False) | Q(value_vnd__isnull=False),
                name="activities_activity_has_figure",
                violation_error_message=_("Enter a quantity, a value in VND, or both."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="activities_activity_ends_after_start",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=Q(giver__isnull=True)
                | Q(recipient__isnull=True)
                | ~Q(giver=F("recipient")),
                name="activities_activity_giver_not_recipient",
                violation_error_message=_("The giver and the recipient must differ."),
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "starts_on"], name="activities_agreement_date"),
            models.Index(fields=["activity_type", "starts_on"], name="activities_type_date"),
            # The latest delivered (or pledged) activities, on the home page and the
            # dashboards: a figure over a period counts from its end.
            models.Index(
                "status",
                Coalesce("ends_on", "starts_on").desc(),
                F("starts_on").desc(),
                F("id").desc(),
                name="activities_latest",
            ),
            # The open-data API's list, page after page (ketnghia.pagination), and the admin's
            # list. It holds the columns an admin search reads (localities.admin's
            # FoldedSearchMixin: ids of agreements, units and funders): the page's ids of a
            # search are read from the index alone (admin_lists.LargeListMixin.page_ids_first).
            # PostgreSQL only: SQLite ignores INCLUDE (settings: models.W040).
            models.Index(
                fields=["-starts_on", "-id"],
                include=["agreement", "giver", "recipient", "funder"],
                name="activities_started",
            ),
            # The work list's quiet agreements (activities.reports.cycle._dormant): the
            # agreements with an activity since a day, from the index alone (its last day:
            # an activity ends on or after it starts), and each agreement's last day, one
            # look at the second.
            models.Index(
                Coalesce("ends_on", "starts_on"),
                include=["agreement", "starts_on", "ends_on"],
                name="activities_last_day",
            ),
            models.Index(
                "agreement",
                Coalesce("ends_on", "starts_on").desc(),
                name="activities_agreement_last_day",
            ),
        ]

    def __str__(self):
        return self.description[:80] or _("Activity #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        self.search_key = self.search_key_of(self.description, self.recipient_detail)
        fields = kwargs.get("update_fields")
        if fields is not None and {"description", "recipient_detail"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_key"}
        # The figures it counts in follow it (localities.changes).
        with changes.writing(activities=[self.pk]) as change:
            super().save(*args, **kwargs)
            change.created(activities=[self.pk])

    def delete(self, *args, **kwargs):
        with changes.writing(activities=[self.pk]):
            return super().delete(*args, **kwargs)

    @classmethod
    def concerns_of(cls, rows):
        return {"activities": list(rows.values_list("pk", flat=True))}

    @staticmethod
    def search_key_of(description, recipient_detail):
        """The key save() stores; bulk writes (generate_national, migrations) call it too."""
        return text.search_key(f"{description} {recipient_detail}")

    def clean(self):
        # The rules of the constraints above, told at the field that is wrong.
        errors = {}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end of the period cannot be before its start.")
        if self.giver_id and self.giver_id == self.recipient_id:
            errors["recipient"] = _("The giver and the recipient must differ.")
        if self.quantity is None and self.value_vnd is None:
            errors["quantity"] = _("Enter a quantity, a value in VND, or both.")
        if self.plan_item_id is not None:
            errors.update(self._plan_item_errors())
        locked = self.locked_by()
        if locked:
            errors[NON_FIELD_ERRORS] = [locked_message(locked)]
        if errors:
            raise ValidationError(errors)

    def locked_by(self):
        """The locked approvals that keep this activity, as stored or as it would be saved,
        from changing (PeriodApproval)."""
        states = [(self.agreement_id, self.starts_on, self.ends_on)]
        if self.pk is not None:
            stored = (
                Activity.objects.filter(pk=self.pk)
                .values_list("agreement_id", "starts_on", "ends_on")
                .first()
            )
            if stored and stored != states[0]:
                states.append(stored)
        found = {}
        for state in states:
            for approval in PeriodApproval.locking(*state):
                found[approval.pk] = approval
        return list(found.values())

    def _plan_item_errors(self):
        """A plan item of the activity's own agreement; for a quantity target, of the target's
        type (its unit), so that the quantities add up."""
        item = self.plan_item
        if self.agreement_id is not None and item.plan.agreement_id != self.agreement_id:
            return {"plan_item": _("Choose an item of this agreement's plans.")}
        if self.starts_on is not None and self.starts_on.year != item.plan.year:
            return {
                "plan_item": _(
                    "This item is in the plan for %(year)s: choose an item of the plan for the "
                    "activity's year."
                )
                % {"year": item.plan.year}
            }
        if (
            item.target_kind == TargetKind.QUANTITY
            and self.activity_type_id is not None
            and item.activity_type_id != self.activity_type_id
        ):
            return {
                "plan_item": _(
                    "This item's target is counted in %(unit)s of “%(type)s”: choose that type "
                    "of support, or another item."
                )
                % {"unit": item.activity_type.unit, "type": item.activity_type.name}
            }
        return {}


class SummaryRole(models.TextChoices):
    """What a row of ActivitySummary sums (see activities.summaries)."""

    ALL = "all", _("All activities")
    PARTY = "party", _("Activities of agreements with a party in or below the locality")
    AREA = "area", _("Activities of agreements with a commitment in the area")
    GIVER = "giver", _("Activities the locality itself gave, alone or jointly")
    RECIPIENT = "recipient", _("Activities the locality itself received")
    FUNDER = "funder", _("Activities the funder paid for")
    GIVER_TOTAL = "giver_total", _("Activities the locality itself gave, every year")
    RECIPIENT_TOTAL = "recipient_total", _("Activities the locality itself received, every year")
    PARTY_AREA = (
        "party_area",
        _("Activities of agreements with a party in or below the locality, by commitment area"),
    )
    PARTY_FUNDER = (
        "party_funder",
        _("Activities of agreements with a party in or below the locality, by funder"),
    )
    GIVEN = "given", _("Activities the locality or a unit below it gave, alone or jointly")
    RECEIVED = "received", _("Activities the locality or a unit below it received")
    PARTY_GIVER = (
        "party_giver",
        _("Activities of agreements with a party in or below the locality, by giver"),
    )
    PARTY_RECIPIENT = (
        "party_recipient",
        _("Activities of agreements with a party in or below the locality, by recipient"),
    )


class ActivitySummary(models.Model):
    """Sums of activities, kept in step with every write by activities.summaries.

    Derived data, never edited by hand: `manage.py rebuild_summaries` recomputes every row from
    the activities. The dashboards read these rows instead of a million activities. Each row
    adds up the activities sharing its key; a measure is additive, so a change to an activity
    subtracts its old contribution and adds its new one.

    The key's shape depends on the role (a constraint below for each):
    - ALL: every activity, by type, status, publication and years (scope, area empty);
    - PARTY: the activities of agreements `scope` covers (localities.tree.area_ids: a party is
      the unit, lies below it, or is a unit it succeeded), each activity once per scope;
    - AREA: by commitment area of the agreement (each area once per agreement), without type;
    - GIVER / RECIPIENT: by the giver (recipient) itself, without type; an activity given
      jointly is in each of its givers' rows (docs/counting.md);
    - FUNDER: by the funder that paid, without type;
    - GIVER_TOTAL / RECIPIENT_TOTAL: the GIVER / RECIPIENT rows of every year added up
      (first_year = last_year = 0): the top lists without a period read a row per locality.
      Here `published` False is every agreement, published or not (province staff's lists),
      not the drafts alone;
    - PARTY_AREA / PARTY_FUNDER: the AREA / FUNDER rows of each `scope` as PARTY has them (a
      locality's dashboard reads its areas and funders from them);
    - GIVEN / RECEIVED: by type, what `scope` gave (received) itself or through the units below
      it or the units it succeeded, under any agreement, as PARTY counts parties: a giver or
      recipient counts in its unit, the units above it and their successors, each activity once
      per scope (two joint givers in one commune count once there);
    - PARTY_GIVER / PARTY_RECIPIENT: the GIVER / RECIPIENT rows (`unit`) of each `scope` as
      PARTY has them (the top givers and recipients of a locality's dashboard).
    """

    role = models.CharField(_("role"), max_length=20, choices=SummaryRole.choices)
    scope = models.ForeignKey(
        Locality,
        verbose_name=_("locality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    area = models.ForeignKey(
        "agreements.CommitmentArea",
        verbose_name=_("commitment area"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    activity_type = models.ForeignKey(
        ActivityType,
        verbose_name=_("type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    funder = models.ForeignKey(
        Funder,
        verbose_name=_("funded by"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    unit = models.ForeignKey(
        Locality,
        verbose_name=_("giver or recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    published = models.BooleanField(_("published"))
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    n = models.IntegerField(_("activities"), default=0)
    quantity = models.DecimalField(_("quantity"), max_digits=24, decimal_places=2, default=0)
    value_vnd = models.BigIntegerField(_("value (VND)"), default=0)
    # How many of the activities had a quantity (value) reported as over, about or nearly, or
    # none at all: what reports.combined_qualifier needs.
    quantity_over = models.IntegerField(_("quantities given as over"), default=0)
    quantity_about = models.IntegerField(_("quantities given as about"), default=0)
    quantity_nearly = models.IntegerField(_("quantities given as nearly"), default=0)
    quantity_missing = models.IntegerField(_("quantities not given"), default=0)
    value_over = models.IntegerField(_("values given as over"), default=0)
    value_about = models.IntegerField(_("values given as about"), default=0)
    value_nearly = models.IntegerField(_("values given as nearly"), default=0)
    value_missing = models.IntegerField(_("values not given"), default=0)

    class Meta:
        verbose_name = _("activity summary")
        verbose_name_plural = _("activity summaries")
        # Derived rows: nobody adds, changes or deletes them by hand, nor needs to view them.
        default_permissions = ()
        indexes = [
            # The top givers and recipients of every year: the first rows by value.
            models.Index(
                F("role"),
                F("status"),
                F("published"),
                F("value_vnd").desc(),
                name="activities_summary_top",
                condition=Q(role__in=["giver_total", "recipient_total"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    role=SummaryRole.ALL,
                    scope__isnull=True,
                    area__isnull=True,
                    activity_type__isnull=False,
                    funder__isnull=True,
                )
                | Q(
                    role__in=[SummaryRole.PARTY, SummaryRole.GIVEN, SummaryRole.RECEIVED],
                    scope__isnull=False,
                    area__isnull=True,
                    activity_type__isnull=False,
                    funder__isnull=True,
                )
                | Q(
                    role=SummaryRole.AREA,
                    scope__isnull=True,
                    area__isnull=False,
                    activity_type__isnull=True,
                    funder__isnull=True,
                )
                | Q(
                    role__in=[
                        SummaryRole.GIVER,
                        SummaryRole.RECIPIENT,
                        SummaryRole.GIVER_TOTAL,
                        SummaryRole.RECIPIENT_TOTAL,
                    ],
                    scope__isnull=False,
                    area__isnull=True,
                    activity_type__isnull=True,
                    funder__isnull=True,
                )
                | Q(
                    role=SummaryRole.FUNDER,
                    scope__isnull=True,
                    area__isnull=True,
                    activity_type__isnull=True,
                    funder__isnull=False,
                )
                | Q(
                    role=SummaryRole.PARTY_AREA,
                    scope__isnull=False,
                    area__isnull=False,
                    activity_type__isnull=True,
                    funder__isnull=True,
                )
                | Q(
                    role=SummaryRole.PARTY_FUNDER,
                    scope__isnull=False,
                    area__isnull=True,
                    activity_type__isnull=True,
                    funder__isnull=False,
                )
                | Q(
                    role__in=[SummaryRole.PARTY_GIVER, SummaryRole.PARTY_RECIPIENT],
                    scope__isnull=False,
                    area__isnull=True,
                    activity_type__isnull=True,
                    funder__isnull=True,
                    unit__isnull=False,
                ),
                name="activities_activitysummary_key_shape",
                violation_error_message=_("This summary row's key does not match its role."),
            ),
            # One unique key per shape: the upserts of activities.reports.summaries name them.
            models.UniqueConstraint(
                fields=["role", "activity_type", "published", "status", "first_year", "last_year"],
                condition=Q(scope__isnull=True, area__isnull=True, funder__isnull=True),
                name="activities_summary_all_key",
            ),
            models.UniqueConstraint(
                fields=[
                    "role",
                    "scope",
                    "activity_type",
                    "published",
                    "status",
                    "first_year",
                    "last_year",
                ],
                condition=Q(scope__isnull=False, activity_type__isnull=False),
                name="activities_summary_scope_key",
            ),
            models.UniqueConstraint(
                fields=["role", "area", "published", "status", "first_year", "last_year"],
                condition=Q(scope__isnull=True, area__isnull=False),
                name="activities_summary_area_key",
            ),
            models.UniqueConstraint(
                fields=["role", "scope", "published", "status", "first_year", "last_year"],
                condition=Q(
                    scope__isnull=False,
                    activity_type__isnull=True,
                    area__isnull=True,
                    funder__isnull=True,
                    unit__isnull=True,
                ),
                name="activities_summary_total_key",
            ),
            models.UniqueConstraint(
                fields=[
                    "role",
                    "scope",
                    "unit",
                    "published",
                    "status",
                    "first_year",
                    "last_year",
                ],
                condition=Q(scope__isnull=False, unit__isnull=False),
                name="activities_summary_scope_unit_key",
            ),
            models.UniqueConstraint(
                fields=["role", "funder", "published", "status", "first_year", "last_year"],
                condition=Q(scope__isnull=True, funder__isnull=False),
                name="activities_summary_funder_key",
            ),
            models.UniqueConstraint(
                fields=["role", "scope", "area", "published", "status", "first_year", "last_year"],
                condition=Q(scope__isnull=False, area__isnull=False),
                name="activities_summary_scope_area_key",
            ),
            models.UniqueConstraint(
                fields=[
                    "role",
                    "scope",
                    "funder",
                    "published",
                    "status",
                    "first_year",
                    "last_year",
                ],
                condition=Q(scope__isnull=False, funder__isnull=False),
                name="activities_summary_scope_funder_key",
            ),
        ]

    def __str__(self):
        return f"{self.role} {self.scope_id or ''} {self.first_year}–{self.last_year}"


class AgreementDates(models.Model):
    """Derived rows, kept in step by activities.reports.summaries: each party (`locality`) and
    each commitment area (`area`) of an agreement, once, with the agreement's publication and
    dates. "Localities with a partner" and the agreements of each area are counted from this
    one table instead of joining parties, commitments and agreements for every view
    (docs/counting.md, section 7)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="+"
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("party"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    area = models.ForeignKey(
        "agreements.CommitmentArea",
        verbose_name=_("commitment area"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    published = models.BooleanField(_("published"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # The party is an ethnic-minority village that exists today (reports.rules.minority_villages):
    # the villages with a partner are counted in the same pass as the localities.
    minority_village = models.BooleanField(_("ethnic-minority village"), default=False)

    class Meta:
        verbose_name = _("agreement's dates")
        verbose_name_plural = _("agreements' dates")
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["published", "signed_on"],
                name="activities_dates_party",
                condition=Q(locality__isnull=False),
            ),
            models.Index(
                fields=["area", "published", "signed_on"],
                name="activities_dates_area",
                condition=Q(area__isnull=False),
            ),
            # "Localities with a partner": every party's row read from the index alone, in the
            # order of its locality (each counted once without a sort).
            models.Index(
                fields=["locality", "signed_on", "ended_on"],
                include=["published", "minority_village"],
                name="activities_dates_partners",
                condition=Q(locality__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(locality__isnull=False, area__isnull=True)
                | Q(locality__isnull=True, area__isnull=False),
                name="activities_agreementdates_party_or_area",
                violation_error_message=_(
                    "A row of an agreement's dates is of a party or of an area."
                ),
            ),
            models.UniqueConstraint(
                fields=["agreement", "locality"],
                condition=Q(locality__isnull=False),
                name="activities_dates_party_key",
            ),
            models.UniqueConstraint(
                fields=["agreement", "area"],
                condition=Q(area__isnull=False),
                name="activities_dates_area_key",
            ),
        ]

    def __str__(self):
        return f"{self.agreement_id} {self.locality_id or self.area_id}"


class FiguresGeneration(models.Model):
    """Derived, kept by activities.reports.snapshots: how many times the figures of a scope
    (a locality's dashboards; 0 for the province's, EVERY_SCOPE for every scope at once) have
    changed. Each write that changes what a scope counts or shows adds one, in its
    transaction; a snapshot made at another generation is never read."""

    scope = models.BigIntegerField(_("scope"), primary_key=True)
    generation = models.BigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("generation of figures")
        verbose_name_plural = _("generations of figures")
        default_permissions = ()

    def __str__(self):
        return f"{self.scope}: {self.generation}"


class DashboardSnapshot(models.Model):
    """Derived, kept by activities.reports.snapshots: a dashboard as composed for one question
    (its scope, filters, kind of reader, language and day), with the generations of figures it
    was made at (docs/counting.md, section 7)."""

    key = models.CharField(_("key"), max_length=64, primary_key=True)
    scope = models.BigIntegerField(_("scope"))
    generation = models.BigIntegerField(_("generation"))
    every_scope = models.BigIntegerField(_("generation of every scope"))
    made_on = models.DateField(_("made on"))
    version = models.CharField(_("version"), max_length=32)  # the Dashboard's
    data = models.BinaryField(_("data"))  # the Dashboard, pickled and compressed

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        default_permissions = ()
        indexes = [models.Index(fields=["made_on"], name="activities_snapshot_made_on")]

    def __str__(self):
        return f"{self.scope} {self.made_on}"


# --- The twinning year: an agreement's annual plan (kế hoạch năm) -----------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Plan(models.Model):
    """An agreement's plan for a year: what each side will do, with targets (PlanItem).

    Staff of a party draft it; a province officer approves it (activities.plans). The public
    sees approved plans only. What was done comes from the activities linked to its items,
    never typed twice (activities.reports.plans)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=PLAN_YEARS,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("e.g. the number of the plan document and who signed it."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year", "agreement_id"]
        permissions = [("approve_plan", _("Can approve annual plans"))]
        # The approved plans of a year (the dashboards, the reminders).
        indexes = [models.Index(fields=["year", "status"], name="activities_plan_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year"],
                name="activities_plan_one_a_year",
                violation_error_message=_("This agreement already has a plan for this year."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values),
                name="activities_plan_status_valid",
                violation_error_message=_("Choose draft or approved."),
            ),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.DRAFT) | Q(approved_at__isnull=False),
                name="activities_plan_approved_when",
                violation_error_message=_("An approved plan needs the time of its approval."),
            ),
        ]

    def __str__(self):
        return _("Plan %(year)s – %(agreement)s") % {"year": self.year, "agreement": self.agreement}

    @property
    def is_approved(self):
        return self.status == PlanStatus.APPROVED

    def clean(self):
        # The activities recorded against its items are of its agreement and year.
        if self.pk is None:
            return
        before = Plan.objects.filter(pk=self.pk).values("agreement_id", "year").first()
        moved = before and (before["agreement_id"], before["year"]) != (
            self.agreement_id,
            self.year,
        )
        if moved and Activity.objects.filter(plan_item__plan=self).exists():
            raise ValidationError(
                _(
                    "Activities are recorded against this plan's items: it stays with its "
                    "agreement and year. Make a new plan instead."
                )
            )


class TargetKind(models.TextChoices):
    QUANTITY = "quantity", _("Quantity")
    MONEY = "money", _("Sum in VND")
    MILESTONE = "milestone", _("Done or not")


class PlanItem(models.Model):
    """One thing a plan says a side will do in a commitment area, with its target and due date.

    The target is a quantity of a type of support (its unit: căn, km, suất), a sum in VND, or a
    milestone done or not. Its actual comes from the delivered activities linked to it."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    area = models.ForeignKey(
        CommitmentArea,
        verbose_name=_("commitment area"),
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    description = models.CharField(
        _("what is to be done"),
        max_length=300,
        help_text=_("e.g. Xây 2 căn nhà Đại đoàn kết cho hộ nghèo làng Ghè."),
    )
    responsible = models.ForeignKey(
        Locality,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        help_text=_("One of the parties; left empty when the parties do it together."),
    )
    target_kind = models.CharField(
        _("kind of target"),
        max_length=10,
        choices=TargetKind.choices,
        default=TargetKind.QUANTITY,
        help_text=_(
            "A quantity in the unit of a type of support, a sum in VND, or a task done or not."
        ),
    )
    activity_type = models.ForeignKey(
        ActivityType,
        verbose_name=_("type of support"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        help_text=_("For a quantity: the type whose unit it is counted in."),
    )
    target_quantity = models.DecimalField(
        _("target quantity"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The target cannot be negative."))],
    )
    target_vnd = models.BigIntegerField(
        _("target sum (VND)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The target cannot be negative."))],
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    dropped = models.BooleanField(_("dropped"), default=False)
    dropped_reason = models.CharField(_("why it was dropped"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # What is to be done without diacritics: "tet" finds "Tết" (localities.admin.FoldedSearchMixin).
    search_key = models.CharField(_("search key"), max_length=300, editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        target_kind=TargetKind.QUANTITY,
                        activity_type__isnull=False,
                        # not null as well: a check passes when its test is null
                        target_quantity__isnull=False,
                        target_quantity__gt=0,
                        target_vnd__isnull=True,
                    )
                    | Q(
                        target_kind=TargetKind.MONEY,
                        target_vnd__isnull=False,
                        target_vnd__gt=0,
                        target_quantity__isnull=True,
                    )
                    | Q(
                        target_kind=TargetKind.MILESTONE,
                        target_quantity__isnull=True,
                        target_vnd__isnull=True,
                    )
                ),
                name="activities_planitem_target_complete",
                violation_error_message=_(
                    "A quantity target needs a type of support and a quantity above 0; a sum "
                    "target a sum above 0; a milestone neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(dropped=False) | ~Q(dropped_reason=""),
                name="activities_planitem_dropped_why",
                violation_error_message=_("Say why the item was dropped."),
            ),
        ]

    def __str__(self):
        # Next year's copy has the same words: the year tells them apart in a list of choices.
        return f"{self.plan.year} · {self.description}" if self.plan_id else self.description

    def save(self, *args, **kwargs):
        self.search_key = text.search_key(self.description)
        fields = kwargs.get("update_fields")
        if fields is not None and "description" in fields:
            kwargs["update_fields"] = {*fields, "search_key"}
        super().save(*args, **kwargs)

    def clean(self):
        # The rules of the constraints above, told at the field that is wrong.
        errors = {}
        if self.target_kind == TargetKind.QUANTITY:
            if self.activity_type_id is None:
                errors["activity_type"] = _(
                    "Choose the type of support whose unit the target is counted in."
                )
            if not self.target_quantity:
                errors["target_quantity"] = _("Enter the target quantity (above 0).")
            self.target_vnd = None
        elif self.target_kind == TargetKind.MONEY:
            if not self.target_vnd:
                errors["target_vnd"] = _("Enter the target sum in VND (above 0).")
            self.target_quantity = None
        else:
            self.target_quantity = self.target_vnd = None
        if self.dropped and not self.dropped_reason.strip():
            errors["dropped_reason"] = _("Say why the item was dropped.")
        if self.pk is not None and self.target_kind == TargetKind.QUANTITY:
            # What was done adds quantities of the target's type: its activities must be of it.
            others = self.activities.exclude(activity_type_id=self.activity_type_id).count()
            if others:
                errors["activity_type"] = ngettext(
                    "%(count)d activity recorded against this item is of another type of "
                    "support: change it first, or keep this type.",
                    "%(count)d activities recorded against this item are of another type of "
                    "support: change them first, or keep this type.",
                    others,
                ) % {"count": others}
        plan = self.plan if self.plan_id else None
        if plan is not None and self.due_on and self.due_on.year != plan.year:
            errors["due_on"] = _("The due date must fall in the plan's year (%(year)s).") % {
                "year": plan.year
            }
        if errors:
            raise ValidationError(errors)


# --- The twinning year: review meetings (giao ban, sơ kết, tổng kết) ---------------------------


def minutes_upload_to(instance, filename):
    """minutes/<year>/<random hex>.<ext>: the uploader's file name is never used. Migrations
    refer to this function by its path."""
    extension = PurePath(filename).suffix.lower()
    return timezone.now().strftime(f"minutes/%Y/{uuid.uuid4().hex}{extension}")


class MeetingKind(models.TextChoices):
    BRIEFING = "briefing", _("Regular meeting")
    HALF_YEAR = "half_year", _("Six-month review")
    YEAR = "year", _("Year-end review")
    PHASE = "phase", _("Review of a phase")


class Meeting(models.Model):
    """A meeting of an agreement's parties to review it (giao ban, sơ kết 6 tháng, tổng kết
    năm): who came for each party (MeetingAttendance), the minutes, and the decisions to follow
    up (FollowUp). The agreement's cadence (Agreement.meeting_every) says when the next is due
    (activities.reports.cycle). Staff's working record: the public page shows the agreement's
    events, not its minutes."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(
        _("minutes"), blank=True, help_text=_("What was reviewed and concluded.")
    )
    minutes_file = models.FileField(
        _("minutes (file)"),
        upload_to=minutes_upload_to,
        blank=True,
        validators=[FileExtensionValidator(["pdf", "doc", "docx", "odt"]), validate_document],
        help_text=_("The signed minutes: PDF, DOC, DOCX or ODT, without macros."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["agreement", "held_on"], name="activities_meeting_held")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values),
                name="activities_meeting_kind_valid",
                violation_error_message=_("Choose a valid kind of meeting."),
            ),
        ]

    def __str__(self):
        return _("%(kind)s of %(date)s") % {
            "kind": self.get_kind_display(),
            "date": date_format(self.held_on, "SHORT_DATE_FORMAT"),
        }

    def clean(self):
        # A meeting planned ahead is recorded once held: a day to come would count as held and
        # silence the reminders of a meeting still due (activities.reports.cycle).
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError(
                {"held_on": _("Record a meeting once it has been held: this day is to come.")}
            )


class MeetingAttendance(models.Model):
    """Who came to a meeting for one of the parties."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    locality = models.ForeignKey(
        Locality, verbose_name=_("party"), on_delete=models.PROTECT, related_name="+"
    )
    people = models.TextField(
        _("people present"),
        help_text=_("One per line: name – title, e.g. Nguyễn Văn A – Bí thư Đảng ủy xã."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance by party")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "locality"],
                name="activities_attendance_one_a_party",
                violation_error_message=_("This party is already listed for the meeting."),
            ),
        ]

    def __str__(self):
        return str(self.locality)


class FollowUp(models.Model):
    """A decision of a meeting to carry out: who, by when, and when it was done. Past its due
    date and not done, it is late (activities.reports.cycle) and reminded."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    decision = models.CharField(_("decision"), max_length=300)
    owner = models.ForeignKey(
        Locality,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("One of the parties; left empty when the parties do it together."),
    )
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(
        _("done on"), null=True, blank=True, help_text=_("Left empty until it is done.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="activities_followup_open")]

    def __str__(self):
        return self.decision


# --- The twinning year: a year's figures approved and locked ----------------------------------


def locked_message(approvals):
    """Why an activity cannot be added, changed or deleted: the approvals that lock it."""
    approval = approvals[0]
    where = approval.locality.name if approval.locality_id else _("the whole province")
    return _(
        "The figures of %(year)s for %(where)s were approved and locked by the province: a "
        "province officer must unlock them, with a reason, before an activity of that year is "
        "added, changed or deleted."
    ) % {"year": approval.year, "where": where}


class PeriodApproval(models.Model):
    """A year's figures approved by the province for a scope: a commune, a ward, any unit (its
    agreements: those with a party in it or below it), or the whole province (no locality).
    While it is locked, no activity of that year in that scope is added, changed or deleted
    (Activity.clean, activities.periods); a province officer unlocks it with a reason, and
    locks it again. Both are kept in its history."""

    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=PLAN_YEARS,
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A commune, a ward or a unit; left empty, the whole province."),
    )
    locked = models.BooleanField(_("locked"), default=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now, editable=False)
    reason = models.CharField(
        _("reason for the last change"),
        max_length=300,
        blank=True,
        editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approved period")
        verbose_name_plural = _("approved periods")
        ordering = ["-year", "locality_id"]
        permissions = [("lock_period", _("Can approve, lock and unlock a year's figures"))]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "locality"],
                name="activities_period_once",
                violation_error_message=_("This year is already approved for this scope."),
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(locality__isnull=True),
                name="activities_period_once_province",
                violation_error_message=_("This year is already approved for the province."),
            ),
        ]

    def __str__(self):
        where = self.locality.name if self.locality_id else _("the whole province")
        return _("Figures of %(year)s – %(where)s") % {"year": self.year, "where": where}

    @classmethod
    def locking(cls, agreement_id, starts_on, ends_on=None):
        """The locked approvals that hold an activity of this agreement on this day or over
        this period: of one of its years, for the province or for a unit that covers one of
        the agreement's parties (localities.scopes' sense). Two queries."""
        if agreement_id is None or starts_on is None:
            return []
        years = range(starts_on.year, (ends_on or starts_on).year + 1)
        locked = cls.objects.filter(locked=True, year__in=list(years))
        if not locked.exists():
            return []
        parties = Party.objects.filter(agreement_id=agreement_id).values("locality_id")
        above = Locality.objects.filter(tree.and_above(parties)).values("pk")
        covering = Q(locality__isnull=True) | Q(locality__in=above)
        return list(locked.filter(covering).select_related("locality").order_by("year"))


# --- The twinning year: how a locality is doing (outcome indicators) ------------------------


class IndicatorMeasure(models.TextChoices):
    NUMBER = "number", _("A number in its unit")
    STATUS = "status", _("A status in words")


class OutcomeIndicator(models.Model):
    """What the province follows about a locality year by year, beside what it received: the
    poverty rate, the new-rural status, the share of households with clean water, and those
    the province adds. Context, never claimed as the effect of twinning."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, default="", db_default=""
    )
    unit = models.CharField(_("unit"), max_length=50, blank=True, help_text=_("e.g. %, hộ."))
    measure = models.CharField(
        _("measure"), max_length=10, choices=IndicatorMeasure.choices, default="number"
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome indicator")
        verbose_name_plural = _("outcome indicators")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__in=IndicatorMeasure.values),
                name="activities_outcomeindicator_measure_valid",
                violation_error_message=_("Choose a number or a status."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return localized(self.name, self.name_en)

    @property
    def label_lang(self):
        return language_of(self.name, self.name_en)


class OutcomeValue(models.Model):
    """An indicator's value for a locality and a year, with its source and date (the
    statistics office's publication, a commune's report)."""

    locality = models.ForeignKey(
        Locality, verbose_name=_("locality"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        OutcomeIndicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=PLAN_YEARS,
    )
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The value cannot be negative."))],
        help_text=_("For an indicator counted in a number, e.g. 12,5 (%)."),
    )
    status = models.CharField(
        _("status"),
        max_length=200,
        blank=True,
        help_text=_("For an indicator told in words, e.g. Đạt chuẩn nông thôn mới."),
    )
    source = models.CharField(
        _("source"), max_length=300, help_text=_("e.g. Cục Thống kê tỉnh Gia Lai, Niên giám 2025.")
    )
    as_of = models.DateField(_("as of"), help_text=_("The day the source gives the value for."))
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["locality_id", "indicator__position", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "indicator", "year"],
                name="activities_outcome_once_a_year",
                violation_error_message=_(
                    "This locality already has a value of this indicator for this year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(status=""),
                name="activities_outcome_has_value",
                violation_error_message=_("Enter the value, or the status in words."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}"

    def clean(self):
        if self.indicator_id is None:
            return
        if self.indicator.measure == IndicatorMeasure.NUMBER:
            if self.value is None:
                raise ValidationError({"value": _("Enter the value, e.g. 12,5.")})
            self.status = ""
        else:
            if not self.status.strip():
                raise ValidationError({"status": _("Enter the status in words.")})
            self.value = None


# --- The merit register (khen thưởng) ---------------------------------------------------------


class AwardForm(models.TextChoices):
    ORDER = "order", _("Order or medal")
    FLAG = "flag", _("Emulation flag")
    MERIT = "merit", _("Certificate of merit")
    COMMENDATION = "commendation", _("Certificate of commendation")


class AwardLevel(models.TextChoices):
    STATE = "state", _("State")
    CENTRAL = "central", _("Ministry or central body")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (before July 2025)")
    COMMUNE = "commune", _("Commune or ward")
    UNIT = "unit", _("Military unit or agency")


class Award(models.Model):
    """Awards of one form given by one decision (or at one conference) for the work of an
    agreement (bằng khen, giấy khen, cờ thi đua, huân chương): who gave them, when, for which
    period and why; how many collectives and people received them, those named as recipients
    (AwardRecipient), and the recorded activities that justify them. A source may count the
    recipients without naming them ("20 giấy khen cho 10 tập thể và 10 cá nhân"): the counts are
    the award's, the names as many as are known."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="awards"
    )
    form = models.CharField(_("form"), max_length=15, choices=AwardForm.choices)
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=AwardLevel.choices,
        blank=True,
        help_text=_("The level of the authority that gives it, when known."),
    )
    issuer = models.CharField(
        _("given by"), max_length=200, help_text=_("e.g. Chủ tịch UBND tỉnh Gia Lai.")
    )
    decision_number = models.CharField(
        _("decision number"), max_length=50, blank=True, help_text=_("e.g. 123/QĐ-UBND.")
    )
    decided_on = models.DateField(_("date"), null=True, blank=True)
    date_precision = date_precision_field()
    period_from = models.PositiveSmallIntegerField(
        _("for the period from"),
        null=True,
        blank=True,
        validators=HISTORY_YEARS,
    )
    period_to = models.PositiveSmallIntegerField(
        _("to"),
        null=True,
        blank=True,
        validators=HISTORY_YEARS,
    )
    reason = models.TextField(
        _("achievement"),
        blank=True,
        help_text=_("The achievement, as the decision words it."),
    )
    collectives = models.PositiveIntegerField(
        _("collectives awarded"), default=0, help_text=_("How many collectives received it.")
    )
    people = models.PositiveIntegerField(
        _("people awarded"), default=0, help_text=_("How many people received it.")
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("at event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awards",
        help_text=_("The conference where it was given, among the agreement's events."),
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awards",
    )
    activities = models.ManyToManyField(
        Activity,
        verbose_name=_("justifying activities"),
        blank=True,
        related_name="awards",
        help_text=_("The recorded activities of the agreement that the award recognises."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=["activities"])

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("merit register")
        ordering = [F("decided_on").desc(nulls_last=True), "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(form__in=AwardForm.values),
                name="activities_award_form_valid",
                violation_error_message=_("Choose a valid form of award."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=["", *AwardLevel.values]),
                name="activities_award_level_valid",
                violation_error_message=_("Choose a valid level."),
            ),
            models.CheckConstraint(
                condition=Q(collectives__gt=0) | Q(people__gt=0),
                name="activities_award_has_recipients",
                violation_error_message=_("Enter how many collectives or people received it."),
            ),
            models.CheckConstraint(
                condition=Q(period_from__isnull=True)
                | Q(period_to__isnull=True)
                | Q(period_from__lte=F("period_to")),
                name="activities_award_period_in_order",
                violation_error_message=_("The period ends before it starts."),
            ),
            date_precision_constraint("activities_award_date_precision_valid"),
        ]

    def __str__(self):
        count = self.collectives + self.people
        return ngettext(
            "%(count)s %(form)s – %(issuer)s", "%(count)s %(form)s – %(issuer)s", count
        ) % {"count": count, "form": self.get_form_display().lower(), "issuer": self.issuer}

    def clean(self):
        errors = {}
        if self.decided_on and self.decided_on > timezone.localdate():
            errors["decided_on"] = _("Record an award once it has been given: this day is to come.")
        if self.agreement_id is not None:
            for name in ("event", "source"):
                part = getattr(self, name)
                if part is not None and part.agreement_id != self.agreement_id:
                    errors[name] = _("Choose one of the agreement's own.")
        if errors:
            raise ValidationError(errors)


class AwardRecipient(models.Model):
    """A collective or a person named as receiving an award: a unit of the register, or a name.
    A person's name is shown to the public only when the staff marks it so."""

    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="recipients"
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("unit or locality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A commune, village, military unit or agency of the register."),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("A person, or a collective not in the register (e.g. Đoàn Thanh niên xã)."),
    )
    title = models.CharField(_("position held"), max_length=200, blank=True)
    is_person = models.BooleanField(_("a person"), default=False)
    public = models.BooleanField(
        _("name shown to the public"),
        default=False,
        help_text=_("A person's name is public only when ticked; collectives always are."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award recipient")
        verbose_name_plural = _("recipients")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(locality__isnull=False) & Q(name="") & Q(is_person=False))
                | (Q(locality__isnull=True) & ~Q(name="")),
                name="activities_award_recipient_one_of",
                violation_error_message=_(
                    "Choose a unit of the register, or enter a name; a person has a name."
                ),
            ),
        ]

    def __str__(self):
        return self.locality.name if self.locality_id else self.name


# --- The needs board (nơi cần kết nghĩa) --------------------------------------------------------

# The places that post needs: a village, or a commune, ward or special zone (for itself or for
# a village of its own that is not in the register yet).
NEED_PLACE_KINDS = (
    LocalityKind.VILLAGE,
    LocalityKind.COMMUNE,
    LocalityKind.WARD,
    LocalityKind.SPECIAL_ZONE,
)


class NeedPriority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Still needed")
    MET = "met", _("Taken up")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Need(models.Model):
    """What a village or commune asks for (activities.needs): posted by its commune's staff,
    shown on the public board until a unit's offer takes it up or its staff withdraw it."""

    locality = models.ForeignKey(
        Locality,
        verbose_name=_("place in need"),
        on_delete=models.PROTECT,
        related_name="needs",
        help_text=_("A village, or a commune, ward or special zone, in your charge."),
    )
    area = models.ForeignKey(
        CommitmentArea,
        verbose_name=_("area of need"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    title = models.CharField(
        _("what is needed"),
        max_length=200,
        help_text=_("e.g. Sửa nhà văn hoá thôn; 50 suất học bổng cho học sinh nghèo."),
    )
    description = models.TextField(
        _("in detail"),
        blank=True,
        help_text=_("Who it is for, why it is needed, what the place can contribute itself."),
    )
    activity_type = models.ForeignKey(
        ActivityType,
        verbose_name=_("kind of support"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        help_text=_("With a quantity: its unit (căn, suất, km…)."),
    )
    quantity = models.DecimalField(
        _("quantity needed"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The quantity cannot be negative."))],
    )
    value_vnd = models.BigIntegerField(
        _("estimated cost (VND)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The cost cannot be negative."))],
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=NeedPriority.choices, default=NeedPriority.NORMAL
    )
    photo = models.ImageField(
        _("photo"),
        upload_to=photo_upload_to,
        blank=True,
        help_text=_(
            "A JPEG, PNG or WebP photo of what is needed. It is stored upright, without its "
            "location or other camera data."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # What is needed and its detail without diacritics, for the admin's search.
    search_key = models.TextField(_("search key"), editable=False, blank=True, default="")

    history = HistoricalRecords(excluded_fields=["updated_at", "search_key"])

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["priority", "-created_at", "-id"]
        # The board: the needs of a status, most pressing first, newest first among equals.
        indexes = [
            models.Index(
                fields=["status", "priority", "-created_at", "-id"], name="activities_need_board"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NeedStatus.values),
                name="activities_need_status_valid",
                violation_error_message=_("Choose still needed, taken up or withdrawn."),
            ),
            models.CheckConstraint(
                condition=Q(priority__in=NeedPriority.values),
                name="activities_need_priority_valid",
                violation_error_message=_("Choose urgent, high or normal."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(activity_type__isnull=False),
                name="activities_need_quantity_has_unit",
                violation_error_message=_(
                    "A quantity needs its kind of support, which gives its unit."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Kept in step with the words whatever path saves them (see localities.text).
        fields = kwargs.get("update_fields")
        if fields is None or {"title", "description"} & set(fields):
            self.search_key = text.search_key(f"{self.title} {self.description}")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status == NeedStatus.OPEN

    def clean(self):
        errors = {}
        if self.locality_id is not None and self.locality.kind not in NEED_PLACE_KINDS:
            errors["locality"] = _(
                "A need is posted for a village, or for a commune, ward or special zone: "
                "%(name)s is not one."
            ) % {"name": self.locality.name}
        elif self.locality_id is not None and self.locality.dissolved_on is not None:
            errors["locality"] = _(
                "%(name)s was dissolved: post the need for the unit that succeeded it."
            ) % {"name": self.locality.name}
        if self.quantity is not None and self.activity_type_id is None:
            errors["activity_type"] = _(
                "Choose the kind of support, which gives the quantity its unit (căn, suất, km…)."
            )
        if errors:
            raise ValidationError(errors)


class OfferStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Offer(models.Model):
    """A unit's or agency's answer to a need: what it offers. Accepted by the place's staff or
    the province, it becomes a draft agreement or a pledged activity (activities.needs), which
    it keeps a link to."""

    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="offers"
    )
    party = models.ForeignKey(
        Locality,
        verbose_name=_("offered by"),
        on_delete=models.PROTECT,
        related_name="offers",
        help_text=_("The unit, agency or locality in your charge that offers its support."),
    )
    description = models.TextField(
        _("what is offered"),
        help_text=_("What, when and how: e.g. 20 ngày công và 30 triệu đồng trong quý II."),
    )
    quantity = models.DecimalField(
        _("quantity offered"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The quantity cannot be negative."))],
        help_text=_("In the need's unit."),
    )
    value_vnd = models.BigIntegerField(
        _("value offered (VND)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("The value cannot be negative."))],
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OfferStatus.choices,
        default=OfferStatus.PROPOSED,
        editable=False,
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    # What the province made of it: the link is kept both ways, and the agreement or activity
    # is not deleted while the offer names it (its offer is deleted first).
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("became the agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="offers",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("became the activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="offers",
    )
    created_at = models.DateTimeField(_("offered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("offer of support")
        verbose_name_plural = _("offers of support")
        ordering = ["need", "created_at", "id"]
        permissions = [
            (
                "convert_offer",
                _("Can turn an accepted offer into a draft agreement or a pledged activity"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "party"],
                name="activities_offer_one_per_party",
                violation_error_message=_(
                    "This unit has already offered its support for this need: change its offer."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values),
                name="activities_offer_status_valid",
                violation_error_message=_("Choose awaiting an answer, accepted or declined."),
            ),
            models.CheckConstraint(
                condition=Q(status=OfferStatus.ACCEPTED)
                | Q(agreement__isnull=True, activity__isnull=True),
                name="activities_offer_converted_when_accepted",
                violation_error_message=_(
                    "Only an accepted offer becomes an agreement or an activity."
                ),
            ),
        ]

    def __str__(self):
        return Truncator(self.description).chars(80)

    @property
    def is_converted(self):
        return self.agreement_id is not None or self.activity_id is not None

    def clean(self):
        errors = {}
        if self.need_id is not None and self.party_id is not None:
            if self.party_id == self.need.locality_id:
                errors["party"] = _("A place does not answer its own need: choose another unit.")
            elif self.party.dissolved_on is not None:
                errors["party"] = _(
                    "%(name)s was dissolved: choose the unit that succeeded it."
                ) % {"name": self.party.name}
        no_unit = self.need_id is not None and self.need.activity_type_id is None
        if self.quantity is not None and no_unit:
            errors["quantity"] = _(
                "The need gives no unit: say what is offered in words, or as a value in VND."
            )
        if errors:
            raise ValidationError(errors)

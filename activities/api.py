"""The open-data API for activities: /api/v1/activities/ (read-only, JSON).

Only activities of published agreements: a draft's activities never appear.
"""

import datetime

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    FollowUp,
    Meeting,
    MeetingAttendance,
    Need,
    NeedPriority,
    Offer,
    OfferStatus,
    OutcomeIndicator,
    OutcomeValue,
    PeriodApproval,
    Plan,
    PlanStatus,
    Qualifier,
    TargetKind,
)
from activities.reports import ItemStatus, progress_of, public_needs
from activities.reports.needs import PUBLIC_STATUSES
from agreements.api import AgreementRefSerializer
from agreements.filters import YearFilter
from agreements.models import AgreementStatus, Source
from localities.api import LocalityRefSerializer, NumberField, PublicReadOnlyViewSet


class ActivityTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityType
        fields = ["slug", "name", "unit", "measure"]


class ActivitySourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["title", "publisher", "published_on", "url"]


class ActivitySerializer(serializers.ModelSerializer):
    agreement = AgreementRefSerializer(read_only=True)
    type = ActivityTypeSerializer(source="activity_type", read_only=True)
    quantity = NumberField(max_digits=14, decimal_places=2)
    giver = LocalityRefSerializer(read_only=True, allow_null=True)
    recipient = LocalityRefSerializer(read_only=True, allow_null=True)
    source = ActivitySourceSerializer(read_only=True, allow_null=True)
    funder = serializers.CharField(
        source="funder.name",
        read_only=True,
        allow_null=True,
        help_text=_("Who paid, when someone other than the giver did: the funder's name."),
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "agreement",
            "type",
            "status",
            "starts_on",
            "ends_on",
            "date_precision",
            "quantity",
            "quantity_qualifier",
            "value_vnd",
            "value_qualifier",
            "giver",
            "recipient",
            "recipient_detail",
            "funder",
            "beneficiaries",
            "description",
            "source",
        ]


class ActivityFilter(django_filters.FilterSet):
    """- ``agreement``: the agreement's slug.
    - ``type``: the activity type's slug (``tien-mat``, ``nha-o``…).
    - ``year``: activities dated in that year, or over a period that covers part of it.
    - ``status``: ``pledged`` or ``delivered``.
    - ``giver``, ``recipient``: a locality's slug.

    An unknown slug gives an empty list; an invalid year or status, a 400 answer.
    """

    agreement = django_filters.CharFilter(field_name="agreement__slug", label=_("Agreement"))
    type = django_filters.CharFilter(field_name="activity_type__slug", label=_("Type"))
    year = YearFilter(method="filter_year", min_value=1900, max_value=2999, label=_("Year"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("Status"))
    giver = django_filters.CharFilter(field_name="giver__slug", label=_("Giver"))
    recipient = django_filters.CharFilter(field_name="recipient__slug", label=_("Recipient"))

    class Meta:
        model = Activity
        fields = ["agreement", "type", "year", "status", "giver", "recipient"]

    def filter_year(self, queryset, name, value):
        first, last = datetime.date(value, 1, 1), datetime.date(value, 12, 31)
        return queryset.filter(
            Q(starts_on__lte=last)
            & (Q(ends_on__gte=first) | Q(ends_on__isnull=True, starts_on__gte=first))
        )


class ActivityViewSet(PublicReadOnlyViewSet):
    """Activities of published agreements: what was given or done, by whom, for whom, when and
    how much. Each figure carries its qualifier (``over`` 500000000 is "over 500,000,000 đ")."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    queryset = Activity.objects.published().select_related(
        "agreement", "activity_type", "giver", "recipient", "funder", "source"
    )
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter


# --- Annual plans --------------------------------------------------------------------------------


class PlanItemSerializer(serializers.Serializer):
    """A plan item with its target and what the linked delivered activities of the year add up
    to (activities.reports.plans; docs/counting.md, section 8)."""

    area = serializers.CharField(source="item.area.name")
    description = serializers.CharField(source="item.description")
    done_by = LocalityRefSerializer(source="item.responsible", read_only=True, allow_null=True)
    target_kind = serializers.ChoiceField(source="item.target_kind", choices=TargetKind.choices)
    type = serializers.CharField(
        source="item.activity_type.slug",
        allow_null=True,
        help_text=_("For a quantity: the activity type whose unit the target is counted in."),
    )
    target_quantity = NumberField(source="item.target_quantity", max_digits=14, decimal_places=2)
    target_vnd = serializers.IntegerField(source="item.target_vnd", allow_null=True)
    due_on = serializers.DateField(source="item.due_on", allow_null=True)
    dropped_reason = serializers.CharField(source="item.dropped_reason")
    done = NumberField(
        source="actual",
        max_digits=24,
        decimal_places=2,
        help_text=_(
            "What was done: the quantity or the sum in VND of the delivered activities linked "
            "to the item and dated within the year; for a milestone, how many."
        ),
    )
    done_qualifier = serializers.ChoiceField(source="qualifier", choices=Qualifier.choices)
    percent = serializers.IntegerField(help_text=_("The share of the target, rounded down."))
    status = serializers.ChoiceField(choices=ItemStatus.CHOICES)
    left_out = serializers.IntegerField(
        help_text=_("Linked figures over a period beyond the year, counted in no plan.")
    )


class PlanSerializer(serializers.ModelSerializer):
    agreement = AgreementRefSerializer(read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "agreement", "year", "approved_at", "items"]

    @extend_schema_field(PlanItemSerializer(many=True))
    def get_items(self, plan):
        progress = self.context["progress"].get(plan.pk)
        return PlanItemSerializer(progress.items if progress else [], many=True).data


class PlanFilter(django_filters.FilterSet):
    """- ``agreement``: the agreement's slug.
    - ``year``: the plan's year."""

    agreement = django_filters.CharFilter(field_name="agreement__slug", label=_("Agreement"))
    year = django_filters.NumberFilter(field_name="year", label=_("Year"))

    class Meta:
        model = Plan
        fields = ["agreement", "year"]


class PlanViewSet(PublicReadOnlyViewSet):
    """Annual plans approved by the province, of published agreements: each item's target
    beside what was done, its share and status (on track, late, done, dropped)."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    # The latest year first; one way, as the keyset pages need (ketnghia.pagination).
    queryset = (
        Plan.objects.filter(status=PlanStatus.APPROVED, agreement__status=AgreementStatus.PUBLISHED)
        .select_related("agreement")
        .order_by("-year", "-id")
    )
    serializer_class = PlanSerializer
    filterset_class = PlanFilter

    def get_serializer(self, *args, **kwargs):
        # The progress of the plans shown, in one query for the page (or the one plan).
        shown = args[0] if args else None
        if shown is not None:
            plans = shown if isinstance(shown, list | tuple) else [shown]
            ids = [plan.pk for plan in plans]
            found = progress_of(Plan.objects.filter(pk__in=ids))
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["progress"] = {p.plan.pk: p for p in found}
        return super().get_serializer(*args, **kwargs)


# --- Review meetings -------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    done_by = LocalityRefSerializer(source="owner", read_only=True, allow_null=True)

    class Meta:
        model = FollowUp
        fields = ["decision", "done_by", "due_on", "done_on"]


class MeetingSerializer(serializers.ModelSerializer):
    agreement = AgreementRefSerializer(read_only=True)
    parties_present = serializers.SerializerMethodField()
    decisions = DecisionSerializer(source="follow_ups", many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "agreement", "kind", "held_on", "place", "parties_present", "decisions"]

    @extend_schema_field(LocalityRefSerializer(many=True))
    def get_parties_present(self, meeting):
        localities = [attendance.locality for attendance in meeting.attendances.all()]
        return LocalityRefSerializer(localities, many=True).data


class MeetingFilter(django_filters.FilterSet):
    """- ``agreement``: the agreement's slug.
    - ``year``: meetings held in that year."""

    agreement = django_filters.CharFilter(field_name="agreement__slug", label=_("Agreement"))
    year = YearFilter(
        field_name="held_on", lookup_expr="year", min_value=1900, max_value=2999, label=_("Year")
    )

    class Meta:
        model = Meeting
        fields = ["agreement", "year"]


class MeetingViewSet(PublicReadOnlyViewSet):
    """Review meetings of published agreements (regular meetings, six-month and year-end
    reviews): when and where, the parties present, and the decisions to follow up with who
    carries them out, by when, and when they were done. The minutes and the names of the people
    present are not published."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    queryset = (
        Meeting.objects.filter(agreement__status=AgreementStatus.PUBLISHED)
        .select_related("agreement")
        .prefetch_related(
            Prefetch(
                "attendances",
                MeetingAttendance.objects.select_related("locality").order_by("id"),
            ),
            Prefetch("follow_ups", FollowUp.objects.select_related("owner")),
        )
        .order_by("-held_on", "-id")
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter


# --- Approved figures and outcome indicators ---------------------------------------------------


class ApprovedPeriodSerializer(serializers.ModelSerializer):
    scope = LocalityRefSerializer(
        source="locality",
        read_only=True,
        allow_null=True,
        help_text=_("The commune, ward or unit approved; null for the whole province."),
    )
    approved_on = serializers.SerializerMethodField()

    class Meta:
        model = PeriodApproval
        fields = ["id", "year", "scope", "approved_on"]

    @extend_schema_field(serializers.DateField())
    def get_approved_on(self, approval):
        return timezone.localdate(approval.approved_at).isoformat()


class ApprovedPeriodFilter(django_filters.FilterSet):
    """- ``year``: the year approved.
    - ``scope``: the slug of the commune, ward or unit approved."""

    year = YearFilter(field_name="year", min_value=1900, max_value=2999, label=_("Year"))
    scope = django_filters.CharFilter(field_name="locality__slug", label=_("Scope"))

    class Meta:
        model = PeriodApproval
        fields = ["year", "scope"]


class ApprovedPeriodViewSet(PublicReadOnlyViewSet):
    """The years whose figures the province approved and locked, for the whole province or for
    a commune, a ward or a unit. While approved, the activities of that year in that scope are
    not changed."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    queryset = (
        PeriodApproval.objects.filter(locked=True)
        .select_related("locality")
        .order_by("-year", "-id")
    )
    serializer_class = ApprovedPeriodSerializer
    filterset_class = ApprovedPeriodFilter


class OutcomeIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeIndicator
        fields = ["name", "unit", "measure"]


class OutcomeValueSerializer(serializers.ModelSerializer):
    locality = LocalityRefSerializer(read_only=True)
    indicator = OutcomeIndicatorSerializer(read_only=True)
    value = NumberField(max_digits=14, decimal_places=2)

    class Meta:
        model = OutcomeValue
        fields = [
            "id",
            "locality",
            "indicator",
            "year",
            "value",
            "status",
            "source",
            "as_of",
        ]


class OutcomeValueFilter(django_filters.FilterSet):
    """- ``locality``: the locality's slug.
    - ``year``: the year of the values."""

    locality = django_filters.CharFilter(field_name="locality__slug", label=_("Locality"))
    year = YearFilter(field_name="year", min_value=1900, max_value=2999, label=_("Year"))

    class Meta:
        model = OutcomeValue
        fields = ["locality", "year"]


class OutcomeValueViewSet(PublicReadOnlyViewSet):
    """The values of the indicators the province follows for its localities, year by year
    (poverty rate, new-rural status, households with clean water…), with their source and
    date: how a locality is doing beside what it received, not an effect of twinning."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    queryset = OutcomeValue.objects.select_related("locality", "indicator").order_by("-year", "-id")
    serializer_class = OutcomeValueSerializer
    filterset_class = OutcomeValueFilter


# --- The needs board ---------------------------------------------------------------------------


class NeedOfferSerializer(serializers.ModelSerializer):
    party = LocalityRefSerializer(read_only=True)
    quantity = NumberField(max_digits=14, decimal_places=2)
    agreement = serializers.SerializerMethodField(
        help_text=_(
            "The published agreement the offer became, or that its pledged activity is under; "
            "null until the province publishes it."
        )
    )

    class Meta:
        model = Offer
        fields = ["party", "description", "quantity", "value_vnd", "status", "agreement"]

    @extend_schema_field(AgreementRefSerializer(allow_null=True))
    def get_agreement(self, offer):
        agreement = offer.activity.agreement if offer.activity_id else offer.agreement
        if agreement is None or agreement.status != AgreementStatus.PUBLISHED:
            return None
        return AgreementRefSerializer(agreement, context=self.context).data


class NeedSerializer(serializers.ModelSerializer):
    place = LocalityRefSerializer(source="locality", read_only=True)
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    type = ActivityTypeSerializer(source="activity_type", read_only=True, allow_null=True)
    quantity = NumberField(max_digits=14, decimal_places=2)
    offers = NeedOfferSerializer(source="shown_offers", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "id",
            "url",
            "title",
            "description",
            "place",
            "area",
            "priority",
            "status",
            "type",
            "quantity",
            "value_vnd",
            "created_at",
            "offers",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, need):
        path = reverse("needs:detail", args=[need.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class NeedFilter(django_filters.FilterSet):
    """- ``area``: the commitment area's slug.
    - ``place``: the locality's slug (its own needs; the board's filter adds the units below).
    - ``status``: open or met.
    - ``priority``: 1 (urgent), 2 (high) or 3 (normal)."""

    area = django_filters.CharFilter(field_name="area__slug", label=_("Area of need"))
    place = django_filters.CharFilter(field_name="locality__slug", label=_("Place"))
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in PUBLIC_STATUSES], label=_("Status")
    )
    priority = django_filters.ChoiceFilter(choices=NeedPriority.choices, label=_("Priority"))

    class Meta:
        model = Need
        fields = ["area", "place", "status", "priority"]


class NeedViewSet(PublicReadOnlyViewSet):
    """The needs board: what villages and communes ask for (what, how much, priority, area),
    still open or taken up, newest first, with the offers of the units that answered and the
    published agreement each became. Withdrawn needs are not listed; a need's quantity and cost
    are what the place asks for, not what it received."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    queryset = (
        public_needs()
        .select_related("locality", "area", "activity_type")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.exclude(status=OfferStatus.DECLINED)
                .select_related("party", "agreement", "activity__agreement")
                .order_by("created_at", "id"),
                to_attr="shown_offers",
            )
        )
        .order_by("-created_at", "-id")
    )
    serializer_class = NeedSerializer
    filterset_class = NeedFilter

"""The open-data API for activities: /api/v1/activities/ (read-only, JSON).

Only activities of published agreements: a draft's activities never appear.
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as django_filters
from rest_framework import serializers

from activities.models import Activity, ActivityStatus, ActivityType
from agreements.api import AgreementRefSerializer
from agreements.filters import YearFilter
from agreements.models import Source
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

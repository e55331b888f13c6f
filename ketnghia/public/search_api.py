"""The site's search in the open data: /api/v1/search/?q=…[&kind=…&page=…] (read-only JSON),
the same groups, order and counts as /tim-kiem/ (ketnghia.public.site_search)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from activities.api import ActivityTypeSerializer
from agreements.api import AgreementRefSerializer
from ketnghia.public import site_search
from localities.api import MAX_AGE, LocalityRefSerializer, NumberField, public_url


class PlaceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = LocalityRefSerializer(allow_null=True)
    dissolved_on = serializers.DateField(allow_null=True)
    successors = serializers.SerializerMethodField(
        help_text=_("A former unit's successors, by slug (empty for a unit in existence).")
    )
    url = serializers.SerializerMethodField()

    def get_successors(self, place) -> list[str]:
        return [successor.slug for successor in getattr(place, "successors_shown", [])]

    def get_url(self, place) -> str:
        return public_url(self.context.get("request"), "localities:detail", place.slug)


class AgreementFoundSerializer(AgreementRefSerializer):
    class Meta(AgreementRefSerializer.Meta):
        fields = ["slug", "title", "signed_on", "ended_on", "url"]


class ProgrammeFoundSerializer(serializers.Serializer):
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    agreement = AgreementRefSerializer()


class ActivityFoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agreement = AgreementRefSerializer()
    type = ActivityTypeSerializer(source="activity_type")
    status = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    quantity = NumberField(max_digits=14, decimal_places=2)
    quantity_qualifier = serializers.CharField()
    value_vnd = serializers.IntegerField(allow_null=True)
    value_qualifier = serializers.CharField()
    giver = LocalityRefSerializer(allow_null=True)
    recipient = LocalityRefSerializer(allow_null=True)
    recipient_detail = serializers.CharField()
    description = serializers.CharField()


SERIALIZERS = {
    site_search.PLACES: PlaceSerializer,
    site_search.UNITS: PlaceSerializer,
    site_search.AGREEMENTS: AgreementFoundSerializer,
    site_search.PROGRAMMES: ProgrammeFoundSerializer,
    site_search.ACTIVITIES: ActivityFoundSerializer,
}

GROUP = inline_serializer(
    "SearchGroup",
    {
        "kind": serializers.ChoiceField(choices=[kind.key for kind in site_search.KINDS]),
        "count": serializers.IntegerField(
            help_text=_("How many were found, counted up to 1000 (see more).")
        ),
        "more": serializers.BooleanField(help_text=_("More were found than are counted.")),
        "similar": serializers.BooleanField(
            help_text=_("No name holds every word: these are names close to them.")
        ),
        "page": serializers.IntegerField(allow_null=True),
        "pages": serializers.IntegerField(allow_null=True),
        "results": serializers.ListField(child=serializers.DictField()),
    },
)


class SearchViewSet(viewsets.ViewSet):
    """One search over places, units and agencies, published agreements, their programmes
    and activities, diacritics, case and word order ignored."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=_("The words searched.")),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=[kind.key for kind in site_search.KINDS],
                description=_("One group only, in pages of 20."),
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description=_("The page of the group.")),
        ],
        responses=inline_serializer(
            "Search",
            {
                "query": serializers.CharField(),
                "groups": serializers.ListField(child=GROUP),
            },
        ),
    )
    def list(self, request):
        found = site_search.search(
            request.query_params.get("q", ""),
            request.query_params.get("kind"),
            request.query_params.get("page"),
        )
        context = {"request": request}
        groups = []
        for group in found.groups:
            serializer = SERIALIZERS[group.kind]
            groups.append(
                {
                    "kind": group.key,
                    "count": group.count,
                    "more": group.more,
                    "similar": group.similar,
                    "page": group.page.number if group.page else None,
                    "pages": group.page.paginator.num_pages if group.page else None,
                    "results": serializer(group.rows, many=True, context=context).data,
                }
            )
        response = Response({"query": found.query, "groups": groups})
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response

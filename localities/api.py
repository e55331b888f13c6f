"""The open-data API for localities: /api/v1/localities/ (read-only, JSON).

Also the pieces the other apps' APIs share: a read-only viewset that any cache may keep five
minutes, a short form of a locality, and the address of a public page.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from localities.models import Locality, LocalityKind

# Longer queries are cut, not refused (as in agreements.filters).
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 10
# Published data changes only when staff publish: any cache may keep an answer five minutes.
MAX_AGE = 300


def public_url(request, viewname, slug):
    """The absolute address of a public page, in Vietnamese (the canonical language)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(viewname, kwargs={"slug": slug})
    return request.build_absolute_uri(path) if request is not None else path


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """GET only; a successful answer may be cached by anyone for five minutes."""

    lookup_field = "slug"
    # Slugs only: anything else (a NUL byte, which PostgreSQL refuses) is a 404 by routing.
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response


class NumberField(serializers.DecimalField):
    """A decimal as a JSON number, as people write it: 8 rather than "8.00", 7.5 rather than
    "7.50"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", False)
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        value = super().to_representation(value)
        return int(value) if value == value.to_integral_value() else float(value)


class LocalityRefSerializer(serializers.ModelSerializer):
    """A locality as other objects name it."""

    class Meta:
        model = Locality
        fields = ["slug", "name", "kind", "code"]


class LocalitySerializer(serializers.ModelSerializer):
    parent = LocalityRefSerializer(read_only=True, allow_null=True)
    latitude = NumberField(max_digits=9, decimal_places=6)
    longitude = NumberField(max_digits=9, decimal_places=6)
    successors = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    predecessors = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Locality
        fields = [
            "slug",
            "name",
            "kind",
            "code",
            "parent",
            "is_ethnic_minority_area",
            "latitude",
            "longitude",
            "established_on",
            "dissolved_on",
            "successors",
            "predecessors",
            "url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, locality):
        return public_url(self.context.get("request"), "localities:detail", locality.slug)


class LocalityFilter(django_filters.FilterSet):
    """- ``q``: words of the name, diacritics and case ignored ("ia dok" finds "Xã Ia Dơk").
    - ``kind``: a kind of locality (``commune``, ``ward``, ``village``, ``military_unit``…).
    - ``parent``: the slug of the unit it lies in directly (a commune's villages).
    - ``ethnic_minority``: ``true`` for units in ethnic-minority areas, ``false`` for the others.
    - ``dissolved``: ``true`` for units dissolved (e.g. by the 2025 merger), ``false`` for
      current ones.
    """

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=LocalityKind.choices, label=_("Kind"))
    parent = django_filters.CharFilter(field_name="parent__slug", label=_("Belongs to"))
    ethnic_minority = django_filters.BooleanFilter(
        field_name="is_ethnic_minority_area", label=_("Ethnic-minority area")
    )
    dissolved = django_filters.BooleanFilter(method="filter_dissolved", label=_("Dissolved"))

    class Meta:
        model = Locality
        fields = ["q", "kind", "parent", "ethnic_minority", "dissolved"]

    def filter_q(self, queryset, name, value):
        words = value[:MAX_QUERY_LENGTH].split()[:MAX_QUERY_WORDS]
        return queryset.search(" ".join(words))

    def filter_dissolved(self, queryset, name, value):
        return queryset.filter(dissolved_on__isnull=not value)


class LocalityViewSet(PublicReadOnlyViewSet):
    """Localities and units that sign agreements: provinces, communes, wards, villages, military
    units, agencies, and the units dissolved by the 2025 merger (with their successors)."""

    queryset = Locality.objects.select_related("parent").prefetch_related(
        "successors", "predecessors"
    )
    serializer_class = LocalitySerializer
    filterset_class = LocalityFilter

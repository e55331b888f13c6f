"""The open-data API for agreements: /api/v1/agreements/ (read-only, JSON, published only)."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.filters import STATUS_CHOICES, AgreementFilter
from agreements.models import (
    Agreement,
    Commitment,
    CommitmentArea,
    Event,
    LegalDocument,
    Party,
    Programme,
    Source,
)
from localities.api import LocalityRefSerializer, PublicReadOnlyViewSet, public_url

IN_FORCE, ENDED = (value for value, _label in STATUS_CHOICES)


def agreement_state(ended_on, today):
    """``ended`` once the end date has passed, else ``in_force`` (AgreementFilter's rule)."""
    return ENDED if ended_on is not None and ended_on < today else IN_FORCE


class AgreementRefSerializer(serializers.ModelSerializer):
    """An agreement as other objects name it."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = ["slug", "title", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, agreement):
        return public_url(self.context.get("request"), "agreements:detail", agreement.slug)


class PartySerializer(serializers.ModelSerializer):
    locality = LocalityRefSerializer(read_only=True)

    class Meta:
        model = Party
        fields = ["locality", "role", "signatory_name", "signatory_title"]


class LegalDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = LegalDocument
        fields = ["number", "kind", "title", "issuer", "issued_on", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, document):
        return public_url(self.context.get("request"), "agreements:legal_document", document.slug)


class CommitmentAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitmentArea
        fields = ["slug", "name"]


class CommitmentSerializer(serializers.ModelSerializer):
    area = CommitmentAreaSerializer(read_only=True)

    class Meta:
        model = Commitment
        fields = ["area", "text"]


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["name", "starts_on", "ends_on", "signed_on", "date_precision", "description"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["kind", "title", "held_on", "date_precision", "place", "description"]


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["title", "publisher", "published_on", "date_precision", "url"]


class AgreementSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    parties = PartySerializer(many=True, read_only=True)
    legal_basis = LegalDocumentSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "slug",
            "title",
            "signed_on",
            "signed_at_place",
            "ended_on",
            "status",
            "summary",
            "parties",
            "legal_basis",
            "url",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=STATUS_CHOICES))
    def get_status(self, agreement):
        if "today" not in self.context:
            self.context["today"] = timezone.localdate()
        return agreement_state(agreement.ended_on, self.context["today"])

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, agreement):
        return public_url(self.context.get("request"), "agreements:detail", agreement.slug)


class AgreementDetailSerializer(AgreementSerializer):
    commitments = CommitmentSerializer(many=True, read_only=True)
    programmes = ProgrammeSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta(AgreementSerializer.Meta):
        fields = [
            *AgreementSerializer.Meta.fields,
            "commitments",
            "programmes",
            "events",
            "sources",
        ]


def _parties():
    return Prefetch("parties", queryset=Party.objects.select_related("locality"))


class AgreementViewSet(PublicReadOnlyViewSet):
    """Published twinning agreements with their parties and legal basis; one agreement also
    with its commitments, programmes, events and sources. Drafts never appear."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter

    def get_queryset(self):
        # AgreementFilter keeps only published agreements too; the detail must not rely on it.
        queryset = Agreement.objects.published().prefetch_related(_parties(), "legal_basis")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("commitments", queryset=Commitment.objects.select_related("area")),
                "programmes",
                "events",
                "sources",
            )
        return queryset

    def get_serializer_class(self):
        return AgreementDetailSerializer if self.action == "retrieve" else AgreementSerializer

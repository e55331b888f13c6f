"""The open-data API, outside the language prefix: /api/v1/… (read-only JSON), described by
OpenAPI 3 at /api/schema/ (?format=json or ?format=yaml)."""

from django.urls import include, path
from django.views.decorators.cache import cache_control
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers

from activities.api import (
    ActivityViewSet,
    ApprovedPeriodViewSet,
    MeetingViewSet,
    NeedViewSet,
    OutcomeValueViewSet,
    PlanViewSet,
)
from agreements.api import AgreementViewSet
from ketnghia.public.search_api import SearchViewSet
from localities.api import MAX_AGE, LocalityViewSet


class Router(routers.DefaultRouter):
    # JSON is the only format: no ".json" twins of every address.
    include_format_suffixes = False


router = Router()
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("localities", LocalityViewSet, basename="locality")
router.register("activities", ActivityViewSet, basename="activity")
router.register("plans", PlanViewSet, basename="plan")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("approved-periods", ApprovedPeriodViewSet, basename="approved-period")
router.register("outcomes", OutcomeValueViewSet, basename="outcome")
router.register("search", SearchViewSet, basename="search")
router.register("needs", NeedViewSet, basename="need")

# The schema's enum names are set in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
schema_view = SpectacularAPIView.as_view()

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", cache_control(public=True, max_age=MAX_AGE)(schema_view), name="api-schema"),
]

"""The approved annual plans in the open-data API (issue 12): /api/v1/plans/, each item's
target beside what was done, from the reports package; drafts and plans of unpublished
agreements never appear; a page costs a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest

from activities.models import Plan, PlanItem, TargetKind
from activities.plans import approve
from agreements.models import CommitmentArea
from agreements.services import unpublish_agreement
from tests import factories

pytestmark = pytest.mark.django_db


def plan_with_items(agreement, year=2026, approved=True):
    plan = Plan.objects.create(agreement=agreement, year=year)
    area = CommitmentArea.objects.order_by("position").first()
    houses = PlanItem.objects.create(
        plan=plan,
        area=area,
        description="Xây nhà Đại đoàn kết",
        target_kind=TargetKind.QUANTITY,
        activity_type=factories.activity_type("nha-o"),
        target_quantity=Decimal("4"),
        responsible=agreement.parties.first().locality,
    )
    PlanItem.objects.create(
        plan=plan, area=area, description="Giao lưu", target_kind=TargetKind.MILESTONE
    )
    factories.activity(
        agreement,
        "nha-o",
        quantity=Decimal("3"),
        quantity_qualifier="over",
        plan_item=houses,
        starts_on=datetime.date(year, 3, 1),
    )
    if approved:
        approve(plan, None)
    return plan


def test_an_approved_plan_with_what_was_done(client):
    agreement = factories.agreement(published=True)
    plan = plan_with_items(agreement)
    body = client.get("/api/v1/plans/").json()
    [found] = body["results"]
    assert found["id"] == plan.pk and found["year"] == 2026
    assert found["agreement"]["slug"] == agreement.slug
    houses, meeting = found["items"]
    assert houses["target_kind"] == "quantity" and houses["type"] == "nha-o"
    assert houses["target_quantity"] == 4
    assert (houses["done"], houses["done_qualifier"], houses["percent"]) == (3, "over", 75)
    assert houses["done_by"]["slug"] == agreement.parties.first().locality.slug
    assert meeting["status"] in ("on_track", "late")
    assert meeting["done"] == 0
    assert client.get(f"/api/v1/plans/{plan.pk}/").json()["items"] == found["items"]


def test_drafts_and_unpublished_agreements_are_not_shown(client):
    plan_with_items(factories.agreement(published=True), approved=False)
    hidden = plan_with_items(factories.agreement(published=True))
    unpublish_agreement(hidden.agreement, actor=None)
    assert client.get("/api/v1/plans/").json()["results"] == []
    assert client.get(f"/api/v1/plans/{hidden.pk}/").status_code == 404


@pytest.mark.parametrize("plans", [1, 6])
def test_a_page_of_plans_takes_a_fixed_number_of_queries(client, plans, django_assert_num_queries):
    for n in range(plans):
        plan_with_items(factories.agreement(published=True), year=2020 + n)
    with django_assert_num_queries(2):  # the page, the items with their progress
        body = client.get("/api/v1/plans/").json()
    assert len(body["results"]) == plans


def test_filters(client):
    first = plan_with_items(factories.agreement(published=True), year=2025)
    plan_with_items(factories.agreement(published=True), year=2026)
    found = client.get("/api/v1/plans/", {"year": 2025}).json()["results"]
    assert [p["id"] for p in found] == [first.pk]
    found = client.get("/api/v1/plans/", {"agreement": first.agreement.slug}).json()["results"]
    assert [p["id"] for p in found] == [first.pk]

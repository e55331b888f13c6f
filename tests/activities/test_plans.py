"""Annual plans (issue 12): targets against what was done for each kind of target, a period that
cuts a multi-year activity, copying a plan, approval by role and scope, and the admin's rules
(docs/counting.md, "Plans")."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.test import Client
from django.utils.translation import gettext

from activities.models import (
    ActivityStatus,
    Plan,
    PlanItem,
    PlanStatus,
    Qualifier,
    TargetKind,
)
from activities.plans import approve, copy_to_year, may_approve, reopen
from activities.reports import ItemStatus, plan_progress, public_plans
from agreements.models import CommitmentArea
from localities.models import LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db

MID_YEAR = datetime.date(2026, 7, 1)


@pytest.fixture
def agreement():
    return factories.agreement(published=True)


@pytest.fixture
def area():
    return CommitmentArea.objects.order_by("position").first()


@pytest.fixture
def plan(agreement):
    return Plan.objects.create(agreement=agreement, year=2026)


def item(plan, kind, area=None, **fields):
    area = area or CommitmentArea.objects.order_by("position").first()
    if kind == TargetKind.QUANTITY:
        fields.setdefault("activity_type", factories.activity_type("nha-o"))
        fields.setdefault("target_quantity", Decimal("4"))
    elif kind == TargetKind.MONEY:
        fields.setdefault("target_vnd", 100_000_000)
    fields.setdefault("description", f"Việc {kind}")
    return PlanItem.objects.create(plan=plan, area=area, target_kind=kind, **fields)


def done(agreement, plan_item, type_slug="tien-mat", **fields):
    """A delivered activity carrying out ``plan_item``."""
    fields.setdefault("starts_on", datetime.date(2026, 3, 1))
    return factories.activity(agreement, type_slug, plan_item=plan_item, **fields)


def progress_of_item(plan, plan_item, today=MID_YEAR):
    found = [p for p in plan_progress(plan, today).items if p.item.pk == plan_item.pk]
    assert len(found) == 1
    return found[0]


# --- targets and actuals ---------------------------------------------------------------------


def test_a_quantity_target_adds_the_quantities_of_its_delivered_activities(agreement, plan):
    houses = item(plan, TargetKind.QUANTITY)
    done(agreement, houses, "nha-o", quantity=Decimal("1"), value_vnd=60_000_000)
    done(agreement, houses, "nha-o", quantity=Decimal("2"), quantity_qualifier=Qualifier.OVER)
    done(agreement, houses, "nha-o", quantity=Decimal("5"), status=ActivityStatus.PLEDGED)
    progress = progress_of_item(plan, houses)
    assert progress.actual == Decimal("3")
    assert progress.qualifier == Qualifier.OVER  # "hơn 3 căn": one figure was "over"
    assert progress.counted == 2  # the pledge is not progress
    assert progress.percent == 75
    assert progress.percent_display == "≥75%"
    assert progress.status == ItemStatus.ON_TRACK
    assert progress.target_display == "4\N{NO-BREAK SPACE}căn"
    assert progress.actual_display == "hơn\N{NO-BREAK SPACE}3\N{NO-BREAK SPACE}căn"


def test_a_sum_target_adds_the_values_and_says_which_activities_have_none(agreement, plan):
    cash = item(plan, TargetKind.MONEY)
    done(agreement, cash, value_vnd=60_000_000)
    done(agreement, cash, value_vnd=50_000_000)
    done(agreement, cash, "qua-tang", quantity=Decimal("40"))  # gifts not valued
    progress = progress_of_item(plan, cash)
    assert progress.actual == 110_000_000
    assert progress.missing == 1
    assert progress.percent == 110
    assert progress.bar_percent == 100
    assert progress.status == ItemStatus.DONE
    assert progress.actual_display == "110.000.000\N{NO-BREAK SPACE}đ"


def test_a_total_that_is_nearly_the_target_does_not_reach_it(agreement, plan):
    cash = item(plan, TargetKind.MONEY)
    done(agreement, cash, value_vnd=100_000_000, value_qualifier=Qualifier.NEARLY)
    progress = progress_of_item(plan, cash)
    assert progress.percent == 100
    assert progress.status == ItemStatus.ON_TRACK
    assert progress.percent_display == "<100%"


def test_a_milestone_is_done_once_an_activity_is_delivered(agreement, plan):
    meeting = item(plan, TargetKind.MILESTONE)
    assert progress_of_item(plan, meeting).status == ItemStatus.ON_TRACK
    assert progress_of_item(plan, meeting).actual_display == gettext("Not yet")
    done(agreement, meeting, status=ActivityStatus.PLEDGED)
    assert progress_of_item(plan, meeting).status == ItemStatus.ON_TRACK
    done(agreement, meeting)
    progress = progress_of_item(plan, meeting)
    assert progress.status == ItemStatus.DONE
    assert progress.percent == 100
    assert progress.actual_display == gettext("Done")


def test_a_period_beyond_the_year_is_left_out_and_said(agreement, plan):
    """A figure over 2025–2027 lies in no single year: counted in no plan, and told."""
    cash = item(plan, TargetKind.MONEY)
    done(
        agreement,
        cash,
        value_vnd=500_000_000,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )
    done(
        agreement,
        cash,
        value_vnd=20_000_000,
        starts_on=datetime.date(2026, 2, 1),
        ends_on=datetime.date(2026, 11, 30),
    )
    progress = progress_of_item(plan, cash)
    assert progress.actual == 20_000_000
    assert progress.counted == 1
    assert progress.left_out == 1
    assert plan_progress(plan, MID_YEAR).left_out == 1


def test_an_activity_is_linked_to_an_item_of_its_own_year(agreement, plan):
    cash = item(plan, TargetKind.MONEY)
    last_year = factories.activity(agreement, starts_on=datetime.date(2025, 12, 31))
    last_year.plan_item = cash
    with pytest.raises(ValidationError) as refused:
        last_year.full_clean()
    assert refused.value.message_dict["plan_item"] == [
        gettext(
            "This item is in the plan for %(year)s: choose an item of the plan for the "
            "activity's year."
        )
        % {"year": 2026}
    ]


def test_links_made_around_the_rules_are_not_counted(agreement, plan):
    """Activity.clean refuses them; a link written otherwise (a script, a bulk update) is not
    counted rather than counted in the wrong unit or for the wrong agreement."""
    houses = item(plan, TargetKind.QUANTITY)
    done(agreement, houses, "nha-o", quantity=Decimal("1"))
    done(agreement, houses, "qua-tang", quantity=Decimal("40"))  # gifts, not houses
    done(factories.agreement(), houses, "nha-o", quantity=Decimal("5"))  # another agreement
    progress = progress_of_item(plan, houses)
    assert (progress.actual, progress.counted) == (Decimal("1"), 1)


def test_late_dropped_and_on_track(agreement, plan):
    due = item(plan, TargetKind.MILESTONE, due_on=datetime.date(2026, 3, 31))
    year_end = item(plan, TargetKind.MILESTONE)
    dropped = item(plan, TargetKind.MILESTONE, dropped=True, dropped_reason="Hộ đã thoát nghèo")
    assert progress_of_item(plan, due, datetime.date(2026, 3, 31)).status == ItemStatus.ON_TRACK
    assert progress_of_item(plan, due, datetime.date(2026, 4, 1)).status == ItemStatus.LATE
    assert progress_of_item(plan, year_end).status == ItemStatus.ON_TRACK
    after = datetime.date(2027, 1, 1)
    assert progress_of_item(plan, year_end, after).status == ItemStatus.LATE
    assert progress_of_item(plan, dropped, after).status == ItemStatus.DROPPED
    counts = plan_progress(plan, after).counts
    assert [(status, n) for status, _, n in counts] == [
        (ItemStatus.LATE, 2),
        (ItemStatus.DROPPED, 1),
    ]


def test_the_progress_of_many_plans_takes_one_query(agreement, django_assert_num_queries):
    for year in (2024, 2025, 2026):
        plan = Plan.objects.create(agreement=agreement, year=year)
        for kind in TargetKind.values:
            done(agreement, item(plan, kind), starts_on=datetime.date(year, 5, 1))
        approve(plan, None)
    with django_assert_num_queries(1):
        plans = public_plans(agreement, MID_YEAR)
        texts = [(p.actual_display, p.target_display, p.percent) for pl in plans for p in pl.items]
    assert [progress.plan.year for progress in plans] == [2026, 2025, 2024]
    assert len(texts) == 9


def test_the_public_sees_approved_plans_only(client, agreement, plan):
    item(plan, TargetKind.MILESTONE, description="Giao lưu văn nghệ")
    url = f"/giao-uoc/{agreement.slug}/"
    assert "Giao lưu văn nghệ" not in client.get(url).content.decode()
    approve(plan, None)
    content = client.get(url).content.decode()
    assert "Giao lưu văn nghệ" in content
    assert gettext("Annual plans") in content
    reopen(plan, None, "Sửa chỉ tiêu")
    assert "Giao lưu văn nghệ" not in client.get(url).content.decode()


# --- the rules of a plan and its items --------------------------------------------------------


def test_one_plan_an_agreement_a_year(agreement, plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(agreement=agreement, year=2026)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"target_kind": TargetKind.QUANTITY, "target_quantity": Decimal("3")}, "activity_type"),
        ({"target_kind": TargetKind.QUANTITY, "activity_type_slug": "nha-o"}, "target_quantity"),
        ({"target_kind": TargetKind.MONEY}, "target_vnd"),
        ({"target_kind": TargetKind.MILESTONE, "dropped": True}, "dropped_reason"),
        ({"target_kind": TargetKind.MILESTONE, "due_on": datetime.date(2027, 1, 5)}, "due_on"),
    ],
)
def test_an_incomplete_item_is_told_at_its_field(plan, area, fields, field):
    slug = fields.pop("activity_type_slug", None)
    if slug:
        fields["activity_type"] = factories.activity_type(slug)
    wrong = PlanItem(plan=plan, area=area, description="Việc", **fields)
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert field in refused.value.message_dict


def test_the_database_refuses_a_target_without_its_figure(plan, area):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.create(
            plan=plan, area=area, description="Việc", target_kind=TargetKind.MONEY
        )


def test_an_activity_carries_out_an_item_of_its_own_agreement_and_type(agreement, plan):
    houses = item(plan, TargetKind.QUANTITY)
    other = factories.agreement()
    wrong_agreement = factories.activity(other, "nha-o", quantity=1, plan_item=houses)
    with pytest.raises(ValidationError) as refused:
        wrong_agreement.full_clean()
    assert refused.value.message_dict["plan_item"] == [
        gettext("Choose an item of this agreement's plans.")
    ]
    wrong_type = factories.activity(
        agreement, "tien-mat", plan_item=houses, starts_on=datetime.date(2026, 2, 1)
    )
    with pytest.raises(ValidationError) as refused:
        wrong_type.full_clean()
    assert "căn" in refused.value.message_dict["plan_item"][0]
    factories.activity(
        agreement, "nha-o", quantity=1, plan_item=houses, starts_on=datetime.date(2026, 2, 1)
    ).full_clean()


def test_an_item_keeps_the_type_of_its_activities(agreement, plan):
    houses = item(plan, TargetKind.QUANTITY)
    done(agreement, houses, "nha-o", quantity=Decimal("1"))
    houses.activity_type = factories.activity_type("qua-tang")
    with pytest.raises(ValidationError) as refused:
        houses.full_clean()
    assert "activity_type" in refused.value.message_dict


def test_a_plan_with_activities_keeps_its_agreement_and_year(agreement, plan):
    cash = item(plan, TargetKind.MONEY)
    plan.year = 2027
    plan.full_clean()  # nothing recorded yet: it may change
    plan.year = 2026
    done(agreement, cash)
    for change in ({"year": 2027}, {"agreement": factories.agreement()}):
        moved = Plan.objects.get(pk=plan.pk)
        for name, value in change.items():
            setattr(moved, name, value)
        with pytest.raises(ValidationError):
            moved.full_clean(validate_unique=False)


# --- copying ------------------------------------------------------------------------------------


def test_a_plan_is_copied_to_the_next_year_without_its_dropped_items(agreement, plan):
    kept = item(plan, TargetKind.MONEY, due_on=datetime.date(2026, 6, 30))
    leap = item(plan, TargetKind.MILESTONE, due_on=datetime.date(2024, 2, 29))
    item(plan, TargetKind.MILESTONE, dropped=True, dropped_reason="Không còn phù hợp")
    done(agreement, kept, value_vnd=100_000_000)
    approve(plan, None)
    copy = copy_to_year(plan, 2027)
    assert copy.status == PlanStatus.DRAFT and copy.year == 2027
    items = list(copy.items.order_by("id"))
    assert [(i.description, i.target_vnd, i.due_on) for i in items] == [
        (kept.description, 100_000_000, datetime.date(2027, 6, 30)),
        (leap.description, None, datetime.date(2027, 2, 28)),
    ]
    # Progress starts from nothing: the activity stays with the 2026 item.
    assert progress_of_item(copy, items[0], datetime.date(2027, 3, 1)).counted == 0
    assert copy.history.first().history_change_reason == gettext(
        "Copied from the plan for %(year)s"
    ) % {"year": 2026}
    with pytest.raises(ValidationError):
        copy_to_year(plan, 2027)


# --- approval by role and scope -----------------------------------------------------------------


def account(name, group, remit=None, whole=False):
    user = factories.staff(name, group, remit, whole=whole)
    return User.objects.get(pk=user.pk)  # its permissions read afresh


@pytest.fixture
def commune(agreement):
    return agreement.parties.first().locality


@pytest.mark.parametrize(
    "group, scoped, may",
    [
        ("Quản trị tỉnh", False, True),
        ("Người duyệt đăng", False, True),  # a province reviewer
        ("Người duyệt đăng", True, False),  # a commune's reviewer
        ("Cán bộ nhập liệu", False, False),
        ("Cán bộ nhập liệu", True, False),
        ("Lãnh đạo", False, False),
    ],
)
def test_who_approves(plan, commune, group, scoped, may):
    user = account("nguoi-dung", group, remit=commune if scoped else None, whole=not scoped)
    item(plan, TargetKind.MILESTONE)
    assert may_approve(user) is may
    if may:
        approve(plan, user)
        assert plan.status == PlanStatus.APPROVED and plan.approved_by == user
    else:
        with pytest.raises(PermissionDenied):
            approve(plan, user)
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_a_plan_without_items_is_not_approved(plan):
    with pytest.raises(ValidationError) as refused:
        approve(plan, None)
    assert gettext("it has no item") in refused.value.messages[0]


def test_reopening_needs_a_reason_and_is_recorded(plan):
    item(plan, TargetKind.MILESTONE)
    approve(plan, None)
    with pytest.raises(ValidationError):
        reopen(plan, None, "  ")
    reopen(plan, None, "Bổ sung chỉ tiêu")
    assert plan.status == PlanStatus.DRAFT and plan.approved_at is None
    reasons = list(plan.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == [
        gettext("Reopened: %(reason)s") % {"reason": "Bổ sung chỉ tiêu"},
        gettext("Approved"),
    ]


# --- the admin ------------------------------------------------------------------------------------


@pytest.fixture
def clerk(commune):
    user = account("nhap-lieu", "Cán bộ nhập liệu", remit=commune)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer():
    user = account("can-bo-tinh", "Quản trị tỉnh")
    client = Client()
    client.force_login(user)
    return client


def plan_form(agreement, year, rows):
    data = {
        "agreement": agreement.pk,
        "year": year,
        "note": "",
        "items-TOTAL_FORMS": len(rows),
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        data.update({f"items-{n}-{key}": value for key, value in row.items()})
    return data


def test_a_clerk_enters_a_plan_with_vietnamese_figures(clerk, agreement, area):
    houses = factories.activity_type("nha-o")
    response = clerk.post(
        "/admin/activities/plan/add/",
        plan_form(
            agreement,
            2026,
            [
                {
                    "area": area.pk,
                    "description": "Xây nhà Đại đoàn kết",
                    "target_kind": "quantity",
                    "activity_type": houses.pk,
                    "target_quantity": "2",
                    "due_on": "30/09/2026",
                },
                {
                    "area": area.pk,
                    "description": "Hỗ trợ Tết",
                    "target_kind": "money",
                    "target_vnd": "30.000.000",
                },
            ],
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    plan = Plan.objects.get(agreement=agreement, year=2026)
    assert plan.status == PlanStatus.DRAFT
    assert sorted(plan.items.values_list("target_vnd", flat=True), key=str) == [30_000_000, None]


def test_bad_rows_are_told_at_the_cell_and_change_nothing(clerk, agreement, area):
    elsewhere = factories.locality("Xã Ngoài Giao Ước")
    response = clerk.post(
        "/admin/activities/plan/add/",
        plan_form(
            agreement,
            2026,
            [
                {
                    "area": area.pk,
                    "description": "Việc ở nơi khác",
                    "target_kind": "milestone",
                    "responsible": elsewhere.pk,
                    "due_on": "01/02/2027",
                }
            ],
        ),
    )
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "Xã Ngoài Giao Ước" in errors["responsible"][0]
    assert errors["due_on"] == [
        gettext("The due date must fall in the plan's year (%(year)s).") % {"year": 2026}
    ]
    assert not Plan.objects.exists()


def test_an_approved_plan_is_read_only_for_the_clerk(clerk, officer, agreement, plan):
    item(plan, TargetKind.MILESTONE)
    url = f"/admin/activities/plan/{plan.pk}/"
    assert clerk.post(f"{url}approve/").status_code == 403
    assert officer.post(f"{url}approve/").status_code == 302
    plan.refresh_from_db()
    assert plan.is_approved
    page = clerk.get(f"{url}change/").content.decode()
    assert 'name="_save"' not in page
    assert gettext("Approve the plan") not in page
    changed = plan_form(agreement, 2030, [])
    assert clerk.post(f"{url}change/", changed).status_code == 403
    assert clerk.post(f"{url}reopen/", {"reason": "Sửa"}).status_code == 403
    response = officer.post(f"{url}reopen/", {"reason": " "}, follow=True)
    assert gettext("Say why the plan is reopened.") in response.content.decode()
    plan.refresh_from_db()
    assert plan.is_approved
    assert officer.post(f"{url}reopen/", {"reason": "Sửa chỉ tiêu"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_a_plan_out_of_scope_is_not_found(agreement, plan):
    other_commune = factories.locality("Xã Khác", kind=LocalityKind.COMMUNE)
    item(plan, TargetKind.MILESTONE, description="Giao lưu bóng đá")
    elsewhere = Client()
    elsewhere.force_login(account("nhap-lieu-khac", "Cán bộ nhập liệu", remit=other_commune))
    reviewer = Client()
    reviewer.force_login(account("duyet-khac", "Người duyệt đăng", remit=other_commune))
    for client in (elsewhere, reviewer):
        assert client.get(f"/admin/activities/plan/{plan.pk}/change/").status_code == 404
        for action in ("approve", "reopen"):
            response = client.post(f"/admin/activities/plan/{plan.pk}/{action}/", {"reason": "x"})
            assert response.status_code == 404
    listed = elsewhere.get("/admin/activities/plan/").content.decode()
    assert agreement.title not in listed
    query = "app_label=activities&model_name=activity&field_name=plan_item&term=bong da"
    found = elsewhere.get(f"/admin/autocomplete/?{query}&agreement={agreement.pk}").json()
    assert found["results"] == []


def test_a_plan_item_is_changed_on_its_plan_only(clerk, agreement, plan):
    planned = item(plan, TargetKind.MILESTONE)
    url = f"/admin/activities/planitem/{planned.pk}/change/"
    assert 'name="_save"' not in clerk.get(url).content.decode()
    elsewhere = factories.locality("Xã Ngoài Giao Ước")
    data = {"area": planned.area_id, "description": "Đổi", "target_kind": "milestone"}
    assert clerk.post(url, {**data, "responsible": elsewhere.pk}).status_code == 403
    assert clerk.post(f"/admin/activities/planitem/{planned.pk}/delete/").status_code == 403
    planned.refresh_from_db()
    assert planned.description != "Đổi"


@pytest.mark.parametrize("rows", [1, 12])
def test_a_plans_page_reads_the_same_queries_whatever_its_items(
    officer, clerk, agreement, rows, django_assert_max_num_queries
):
    plan = Plan.objects.create(agreement=agreement, year=2026)
    houses = factories.activity_type("nha-o")
    responsible = agreement.parties.first().locality
    for n in range(rows):
        item(plan, TargetKind.QUANTITY, activity_type=houses, responsible=responsible)
        item(plan, TargetKind.MONEY, description=f"Tiền {n}")
    url = f"/admin/activities/plan/{plan.pk}/change/"
    officer.get(url)
    with django_assert_max_num_queries(12):
        assert officer.get(url).status_code == 200
    approve(plan, None)
    clerk.get(url)
    with django_assert_max_num_queries(12):
        assert clerk.get(url).status_code == 200


def test_a_copy_stays_within_the_years(plan):
    item(plan, TargetKind.MILESTONE)
    last = Plan.objects.create(agreement=plan.agreement, year=2100)
    with pytest.raises(ValidationError):
        copy_to_year(last, 2101)


def test_the_plan_item_autocomplete_offers_the_agreements_items(officer, agreement, plan):
    mine = item(plan, TargetKind.MILESTONE, description="Giao lưu thể thao")
    other_plan = Plan.objects.create(agreement=factories.agreement(), year=2026)
    item(other_plan, TargetKind.MILESTONE, description="Giao lưu văn nghệ")
    query = "app_label=activities&model_name=activity&field_name=plan_item&term=giao luu"
    found = officer.get(f"/admin/autocomplete/?{query}&agreement={agreement.pk}").json()
    assert [r["id"] for r in found["results"]] == [str(mine.pk)]
    assert len(officer.get(f"/admin/autocomplete/?{query}").json()["results"]) == 2


def test_copy_to_the_next_year_from_the_list(officer, plan):
    item(plan, TargetKind.MILESTONE)
    response = officer.post(
        "/admin/activities/plan/",
        {"action": "copy_to_next_year", "_selected_action": [plan.pk]},
    )
    assert response.status_code == 302
    assert Plan.objects.filter(agreement=plan.agreement, year=2027).exists()


def test_an_item_with_recorded_activities_is_dropped_not_deleted(officer, agreement, plan, area):
    """Deleting it would unlink its activities silently (in a locked year too): the plan's page
    refuses, naming them, and changes nothing; an item without any is deleted; the plan itself
    is not deleted while an activity carries out one of its items."""
    carried = item(plan, TargetKind.MONEY)
    activity = done(agreement, carried, value_vnd=30_000_000)
    spare = item(plan, TargetKind.MILESTONE)
    data = plan_form(agreement, 2026, [])
    data.update({"items-TOTAL_FORMS": 2, "items-INITIAL_FORMS": 2})
    for n, row in enumerate((carried, spare)):
        data.update(
            {
                f"items-{n}-id": row.pk,
                f"items-{n}-plan": plan.pk,
                f"items-{n}-area": area.pk,
                f"items-{n}-description": row.description,
                f"items-{n}-target_kind": row.target_kind,
                f"items-{n}-target_vnd": "100.000.000" if row == carried else "",
                f"items-{n}-DELETE": "on",
            }
        )
    response = officer.post(f"/admin/activities/plan/{plan.pk}/change/", data)
    assert response.status_code == 200
    [refusal] = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert refusal.startswith(f"Không xóa được nội dung kế hoạch {carried}: ")
    assert refusal.endswith(f"được giữ lại: hoạt động {activity}")
    assert set(plan.items.values_list("pk", flat=True)) == {carried.pk, spare.pk}

    data["items-0-DELETE"] = ""
    response = officer.post(f"/admin/activities/plan/{plan.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"]
    assert list(plan.items.values_list("pk", flat=True)) == [carried.pk]
    activity.refresh_from_db()
    assert activity.plan_item_id == carried.pk

    with pytest.raises(RestrictedError):
        carried.delete()
    with pytest.raises(RestrictedError):
        plan.delete()

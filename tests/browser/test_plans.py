"""A commune's clerk enters the 2026 plan of Xã Ia Dơk – Phường An Nhơn Bắc through the admin,
with items under five commitment areas and their targets; a province officer approves it and
records an activity against one item; the agreement's public page then shows the plan with what
was done (issue 12).

Screenshots go to test-artifacts/plans/: the clerk's form, the officer's plan page at 1280 px,
and the public page at 390 px.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from activities.models import Activity, Plan, PlanStatus
from localities.models import Locality, StaffLocality
from tests.browser.test_admin_entry import choose
from tests.browser.test_screens import problems_of
from tests.browser.test_staff_import import PASSWORD, log_in

IA_DOK = "Xã Ia Dơk – Phường An Nhơn Bắc"

# What the clerk types, row by row: the area, what is to be done, the kind of target and its
# figure (with the type of support for a quantity), the due date. Test data: the demo has no plan.
ITEMS = [
    ("Xây dựng Đảng", "Trao đổi kinh nghiệm xây dựng Đảng bộ", "milestone", None, None, ""),
    ("Kinh nghiệm lãnh đạo", "Hội nghị giao ban giữa hai bên", "milestone", None, None, ""),
    (
        "Tăng cường tình đoàn kết",
        "Hỗ trợ hộ nghèo xã Ia Dơk đón Tết",
        "money",
        None,
        "30.000.000",
        "",
    ),
    (
        "Phát triển sản xuất",
        "Tặng cây cà phê giống",
        "quantity",
        "Cây giống, vật nuôi",
        "1.500",
        "30/11/2026",
    ),
    ("Văn hóa, văn nghệ", "Giao lưu văn nghệ, thể thao", "milestone", None, None, ""),
]


def staff(username, group, locality_slug=None):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if locality_slug:
        StaffLocality.objects.create(user=user, locality=Locality.objects.get(slug=locality_slug))
    return user


def fill_item(page, row, item):
    area, description, kind, activity_type, figure, due_on = item
    prefix = f"#id_items-{row}-"
    area_select = page.locator(f"{prefix}area")
    value = area_select.locator("option", has_text=area).first.get_attribute("value")
    area_select.select_option(value)
    page.locator(f"{prefix}description").fill(description)
    page.locator(f"{prefix}target_kind").select_option(kind)
    if activity_type:
        page.locator(f"{prefix}activity_type").select_option(label=activity_type)
    if kind == "quantity":
        page.locator(f"{prefix}target_quantity").fill(figure)
    elif kind == "money":
        page.locator(f"{prefix}target_vnd").fill(figure)
    if due_on:
        page.locator(f"{prefix}due_on").fill(due_on)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_enters_a_plan_an_officer_approves_it_and_the_public_reads_its_progress(
    page, browser, live_server, demo, artifacts
):
    folder = artifacts / "plans"
    folder.mkdir(exist_ok=True)
    clerk = staff("nhaplieu.iadok", "Cán bộ nhập liệu", "xa-ia-dok")
    officer = staff("canbo.tinh", "Quản trị tỉnh")

    # --- The commune's clerk drafts the plan -----------------------------------------------
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, clerk)
    page.goto("/admin/activities/plan/add/")
    choose(page, "id_agreement", "ia dok", IA_DOK)
    page.locator("#id_year").fill("2026")
    add_row = page.locator("#items-group .add-row a")
    for row, item in enumerate(ITEMS):
        if row >= 3:  # three empty rows are offered; the clerk adds the others
            add_row.click()
        fill_item(page, row, item)
    assert problems_of(page, 1366) == []
    page.screenshot(path=folder / "clerk-form-1366.png", full_page=True)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text(_("annual plan"), ignore_case=True)
    plan = Plan.objects.get(agreement__title=IA_DOK, year=2026)
    assert plan.status == PlanStatus.DRAFT
    assert plan.items.count() == 5
    assert plan.items.filter(area__name__startswith="Văn hóa").count() == 1
    # A draft: no approval for the clerk, and nothing on the public page.
    expect(page.get_by_role("button", name=_("Approve the plan"))).to_have_count(0)
    expect(page.locator(".plan-progress")).to_contain_text(_("Nothing recorded yet"))
    slug = plan.agreement.slug
    public = browser.new_page(base_url=live_server.url)
    public.goto(f"/giao-uoc/{slug}/")
    expect(public.locator("h1")).to_have_text(IA_DOK)
    expect(public.locator("#plans")).to_have_count(0)

    # --- The province officer approves it, then records what was given --------------------
    page.context.clear_cookies()
    log_in(page, officer)
    page.goto(f"/admin/activities/plan/{plan.pk}/change/")
    page.get_by_role("button", name=_("Approve the plan")).click()
    expect(page.locator(".messagelist")).to_contain_text(
        _("The plan was approved: the public sees it now.")
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == officer

    page.goto("/admin/activities/activity/add/")
    choose(page, "id_agreement", "ia dok", IA_DOK)
    choose(page, "id_plan_item", "tet", "Hỗ trợ hộ nghèo xã Ia Dơk đón Tết")
    page.locator("#id_activity_type").select_option(label="Hỗ trợ tiền")
    page.locator("#id_starts_on").fill("20/01/2026")
    page.locator("#id_value_vnd").fill("30.000.000")
    page.locator("#id_description").fill("Hỗ trợ hộ nghèo xã Ia Dơk đón Tết Bính Ngọ.")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    given = Activity.objects.get(description__startswith="Hỗ trợ hộ nghèo xã Ia Dơk đón Tết")
    assert given.plan_item.plan == plan

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/admin/activities/plan/{plan.pk}/change/")
    progress = page.locator(".plan-progress")
    row = progress.locator("tr", has_text="Hỗ trợ hộ nghèo xã Ia Dơk đón Tết")
    expect(row).to_contain_text("30.000.000")
    expect(row).to_contain_text("100%")
    expect(row).to_contain_text(_("Done"))
    assert problems_of(page, 1280) == []
    page.screenshot(path=folder / "officer-plan-1280.png", full_page=True)

    # --- The citizen reads it on a phone ---------------------------------------------------
    # (another browser: the page seen before is kept by this one for its max-age)
    public.context.close()
    public = browser.new_page(base_url=live_server.url, viewport={"width": 390, "height": 844})
    public.goto(f"/giao-uoc/{slug}/")
    plans = public.locator("section[aria-labelledby=plans]")
    expect(plans).to_contain_text(_("Annual plans"))
    expect(plans.locator("tbody tr:not(.plan-area)")).to_have_count(5)
    expect(plans.locator("tr", has_text="Tặng cây cà phê giống")).to_contain_text("1.500")
    expect(plans.locator("tr", has_text="Hỗ trợ hộ nghèo")).to_contain_text(_("Done"))
    assert problems_of(public, 390) == []
    public.screenshot(path=folder / "public-plan-390.png", full_page=True)
    public.context.close()

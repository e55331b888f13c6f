"""A member of staff enters an agreement and one of its activities, in the browser."""

import re

import pytest
from playwright.sync_api import expect

from activities.models import Activity, ActivityType
from agreements.models import Agreement, CommitmentArea
from localities.models import Locality, LocalityKind

PASSWORD = "mat-khau-thu-nghiem-9"  # the admin_user fixture's (tests/conftest.py)


def choose(page, select_id, typed, label):
    """Type into a select2 autocomplete and click the result that shows ``label``."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-container--open .select2-results__option", has_text=label).click()
    expect(page.locator(f"#select2-{select_id}-container")).to_contain_text(label)


def fits(page):
    """The page is no wider than the screen, once its stylesheets and images are in (a click's
    navigation may still be loading them when the new page's text is already there)."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"
    return True


def log_in(page, user):
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text(user.username.upper(), ignore_case=True)


@pytest.mark.browser
# The live server runs in another thread: it sees committed data only. serialized_rollback
# brings back, for this test, the rows the data migrations wrote (commitment areas and
# activity types), which the flush after a transactional test removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_enter_an_agreement_and_its_activity(
    page, live_server, admin_user, foreign_requests, page_errors, artifacts
):
    Locality.objects.create(name="Xã Ia Dơk", kind=LocalityKind.COMMUNE, code="23869")
    Locality.objects.create(name="Phường An Nhơn Bắc", kind=LocalityKind.WARD, code="21925")
    Locality.objects.create(name="Xã Ia Grai", kind=LocalityKind.COMMUNE, code="23890")
    area = CommitmentArea.objects.get(slug="quoc-phong-an-ninh")
    cash = ActivityType.objects.get(slug="tien-mat")

    log_in(page, admin_user)
    # A clerk's 1280 px screen: no page scrolls sideways (issue 16: the agreement page was
    # 1,905 px wide there).
    page.set_viewport_size({"width": 1280, "height": 900})

    # The agreement, its two parties found without diacritics, and one commitment.
    page.goto("/admin/agreements/agreement/add/")
    assert fits(page)
    choose(page, "id_parties-0-locality", "ia dok", "Xã Ia Dơk")
    page.locator("#id_parties-0-signatory_name").fill("Rơ Châm Thanh")
    page.locator("#id_parties-0-signatory_title").fill("Bí thư Đảng ủy xã")
    choose(page, "id_parties-1-locality", "an nhon bac", "Phường An Nhơn Bắc")
    page.locator("#id_signed_on").fill("27/12/2025")
    page.locator("#id_commitments-0-area").select_option(label=area.name)
    page.locator("#id_commitments-0-text").fill("Phối hợp giữ vững quốc phòng - an ninh.")
    page.locator("input[name=_save]").click()

    expect(page.locator(".messagelist .success")).to_contain_text("Xã Ia Dơk – Phường An Nhơn Bắc")
    agreement = Agreement.objects.get()
    assert agreement.title == "Xã Ia Dơk – Phường An Nhơn Bắc"
    assert agreement.commitments.get().area == area
    page.goto(f"/admin/agreements/agreement/{agreement.pk}/change/")
    assert fits(page)

    # Its activity, typed as reports write it.
    page.goto("/admin/activities/activity/add/")
    choose(page, "id_agreement", "ia dok", agreement.title)
    page.locator("#id_activity_type").select_option(label=cash.name)
    # The giver is looked for among the agreement's parties, not every unit (issue 16).
    page.locator("#id_giver + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("xa ia")
    offered = page.locator(".select2-container--open .select2-results__option")
    expect(offered).to_have_text(["Xã Ia Dơk"])
    page.keyboard.press("Escape")
    choose(page, "id_giver", "an nhon bac", "Phường An Nhơn Bắc")
    choose(page, "id_recipient", "ia dok", "Xã Ia Dơk")
    page.locator("#id_starts_on").fill("27/12/2025")
    page.locator("#id_value_vnd").fill("30.000.000")
    page.locator("input[name=_save]").click()

    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/activities/activity/$"))
    figure = page.locator("#result_list td.field-figure")
    expect(figure).to_have_count(1)
    # format_vnd puts a no-break space before "đ"; \s matches it.
    expect(figure).to_have_text(re.compile(r"^30\.000\.000\s+đ$"))
    assert Activity.objects.get().value_vnd == 30_000_000

    page.screenshot(path=artifacts / "admin-activity-list.png", full_page=True)
    # The list's giver filter is searched, as the form's field is (issue 16).
    choose(page, "filter_giver", "an nhon", "Phường An Nhơn Bắc")
    giver = Locality.objects.get(name="Phường An Nhơn Bắc")
    expect(page).to_have_url(re.compile(rf"giver__id__exact={giver.pk}"))
    expect(page.locator("#result_list td.field-figure")).to_have_count(1)
    assert fits(page)
    assert foreign_requests == []
    assert page_errors == []

"""An editor of Phường An Nhơn Bắc imports a season of activities from Excel and sees them
listed; an editor of another commune cannot see them (issue 5).

Screenshots go to test-artifacts/: staff-import-preview.png and staff-import-list.png (the
ward's editor), staff-import-other-commune.png, staff-import-not-found.png and
staff-import-refused.png (the other commune's).
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from playwright.sync_api import expect

from activities.models import Activity, ActivityStatus, Qualifier
from activities.resources import ActivityResource
from localities.models import Locality, StaffLocality
from tests import factories
from tests.browser.conftest import open_page
from tests.browser.test_screens import ADMIN_WIDTHS, problems_of

PASSWORD = "mat-khau-nhap-lieu-7"
EDITOR = "Cán bộ nhập liệu"  # the editors' group (activities migration 0006)
REVIEWER = "Người duyệt đăng"
LIST = "/admin/activities/activity/"
IA_DOK = "Xã Ia Dơk – Phường An Nhơn Bắc"
LANG_GHE = "Phường An Nhơn Bắc – Làng Ghè"

# A season of activities as a ward's clerk types them, by field of ActivityResource: money with
# dots, as a plain number cell, dates typed the Vietnamese way or as an Excel date cell,
# localities by name or official code, agreements by title or short name, qualifiers by name.
SEASON = [
    {
        "agreement": IA_DOK,
        "activity_type": "Hỗ trợ tiền",
        "giver": "Phường An Nhơn Bắc",
        "recipient": "Xã Ia Dơk",
        "starts_on": "15/1/2026",
        "value_vnd": "30.000.000",
        "description": "Hỗ trợ xã Ia Dơk tổ chức Tết cho các hộ nghèo.",
    },
    {
        "agreement": "xa-ia-dok-phuong-an-nhon-bac-2025",
        "activity_type": "Quần áo",
        "giver": "21925",  # Phường An Nhơn Bắc's official code
        "recipient": "Xã Ia Dơk",
        "starts_on": datetime.date(2026, 1, 20),  # an Excel date cell
        "quantity": 200,  # a number cell
        "description": "Tặng 200 bộ quần áo ấm cho học sinh xã Ia Dơk.",
    },
    {
        "agreement": LANG_GHE,
        "activity_type": "Quà tặng",
        "giver": "Phường An Nhơn Bắc",
        "recipient": "Làng Ghè",
        "recipient_detail": "Hộ nghèo làng Ghè",
        "starts_on": "5/2/2026",
        "quantity": "50",
        "quantity_qualifier": "hơn",
        "value_vnd": 25000000,  # a number cell
        "description": "Trao hơn 50 suất quà Tết cho hộ nghèo làng Ghè.",
    },
    {
        "agreement": LANG_GHE,
        "activity_type": "Cây giống, vật nuôi",
        "giver": "Phường An Nhơn Bắc",
        "recipient": "Làng Ghè, Xã Ia Dơk",
        "starts_on": "10/3/2026",
        "quantity": "1.500",
        "description": "Tặng 1.500 cây cà phê giống cho bà con làng Ghè.",
    },
    {
        "agreement": LANG_GHE,
        "activity_type": "Ngày công lao động",
        "giver": "Phường An Nhơn Bắc",
        "recipient": "Làng Ghè",
        "starts_on": "1/3/2026",
        "date_precision": "Chỉ biết tháng",
        "quantity": "120",
        "quantity_qualifier": "khoảng",
        "description": "Đoàn viên phường giúp bà con làng Ghè làm cỏ cà phê.",
    },
    {
        "agreement": IA_DOK,
        "activity_type": "Học bổng",
        "status": "Cam kết",
        "giver": "Phường An Nhơn Bắc",
        "recipient": "Xã Ia Dơk",
        "starts_on": "1/6/2026",
        "quantity": "10",
        "value_vnd": "20000000",
        "description": "Cam kết trao 10 suất học bổng cho học sinh xã Ia Dơk.",
    },
]
DESCRIPTIONS = [row["description"] for row in SEASON]


def editor(username, locality_slug, *groups):
    """A staff account in the editors' group (and `groups`), in charge of one locality."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=[EDITOR, *groups]))
    StaffLocality.objects.create(user=user, locality=Locality.objects.get(slug=locality_slug))
    return user


def log_in(page, user):
    """Through the admin's own login form, as a person does."""
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text(user.username.upper(), ignore_case=True)


def fill_in_template(template, season, path):
    """The downloaded Excel template with its example rows replaced by ``season``, written to
    ``path``: columns are found by the template's own headers."""
    resource = ActivityResource()
    columns = {name: resource.fields[name].column_name for name in resource._meta.fields}
    workbook = load_workbook(template)
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    assert headers == list(columns.values())  # the template has the import's headers
    sheet.delete_rows(2, sheet.max_row)
    for row in season:
        unknown = row.keys() - columns.keys()
        assert not unknown, unknown
        by_header = {columns[name]: value for name, value in row.items()}
        sheet.append([by_header.get(header) for header in headers])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
    workbook.save(path)
    return path


def search(page, term):
    page.locator("#searchbar").fill(term)
    page.locator("#searchbar").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q="))


def not_found(page, path, page_errors):
    """Opens ``path`` and checks it answers 404. Chromium logs the 404 as a console error: that
    one line is expected and taken out of ``page_errors``, any other error stays."""
    seen = len(page_errors)
    response = page.goto(path)
    assert response.status == 404, path
    expect(page.locator("h1")).to_have_text(_("Not found"))
    expect(page.locator("main")).to_contain_text(
        _("This record does not exist, or it is outside the localities in your charge.")
    )
    expect(page.get_by_role("link", name=_("Back to the administration"))).to_have_attribute(
        "href", "/admin/"
    )
    assert page_errors[seen:] == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    del page_errors[seen:]


def results(page):
    return page.locator("#result_list tbody tr")


# The live server runs in another thread: it sees committed data only. serialized_rollback
# brings back the rows the data migrations wrote (the roles' groups, the activity types), which
# the flush after the test removes.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_imports_a_season_that_another_commune_cannot_see(
    page, browser, live_server, demo, tmp_path, foreign_requests, page_errors, artifacts
):
    # The demo's agreements are published: a plain editor's import into them is refused (its
    # changes go through a reviewer, tests/agreements/test_revisions.py). This one also reviews.
    an_nhon_bac = editor("nhaplieu.annhonbac", "phuong-an-nhon-bac", REVIEWER)
    # Xã Biển Hồ (a successor of Thành phố Pleiku) is party to none of An Nhơn Bắc's
    # agreements. Its own agreement and activity make the list and the autocomplete show
    # something, so that "none of An Nhơn Bắc's" cannot pass on an empty or broken page.
    bien_ho, gao = Locality.objects.get(slug="xa-bien-ho"), Locality.objects.get(slug="xa-gao")
    its_own = factories.agreement(bien_ho, gao, title="Xã Biển Hồ – Xã Gào")
    factories.activity(
        its_own,
        giver=bien_ho,
        recipient=gao,
        value_vnd=15_000_000,
        description="Xã Biển Hồ hỗ trợ xã Gào 15 triệu đồng.",
    )
    bien_ho_editor = editor("nhaplieu.bienho", "xa-bien-ho")
    before = Activity.objects.count()
    # The demo's activities of An Nhơn Bắc's two agreements: what its editor sees at first.
    in_charge = Activity.objects.filter(agreement__title__in=[IA_DOK, LANG_GHE]).count()

    # --- The editor of Phường An Nhơn Bắc -----------------------------------------------
    log_in(page, an_nhon_bac)
    page.goto(LIST)
    expect(results(page)).to_have_count(in_charge)

    # The Excel template, downloaded from the list, filled in with the season.
    with page.expect_download() as download:
        page.locator(".object-tools a", has_text=_("Excel template")).click()
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    season = fill_in_template(template, SEASON, tmp_path / "hoat-dong-xuan-2026.xlsx")

    # From the list to the import page; the file, then its format, as a clerk chooses them.
    page.locator(".object-tools a.import_link").click()
    expect(page).to_have_url(re.compile(r"/admin/activities/activity/import/$"))
    page.locator("#id_import_file").set_input_files(season)
    page.locator("#id_format").select_option(label="xlsx")
    page.locator("#content form [type=submit]").click()

    # The preview: every row new, nothing written yet.
    preview = page.locator("table.import-preview")
    expect(preview).to_be_visible()
    expect(preview.locator("tr.new")).to_have_count(len(SEASON))
    expect(preview.locator("tr.new .import-kind")).to_have_text([_("new")] * len(SEASON))
    # Names, not codes; no "None" in an empty cell.
    expect(preview.get_by_text("Phường An Nhơn Bắc (21925)").first).to_be_visible()
    expect(preview).not_to_contain_text("None")
    for description in DESCRIPTIONS:
        expect(preview.get_by_text(description)).to_have_count(1)
    assert Activity.objects.count() == before
    page.screenshot(path=artifacts / "staff-import-preview.png", full_page=True)
    # The preview fits a clerk's screens as every admin screen does (test_screens: it needs
    # this POST, so it is looked at here): no page wider than the screen, no box cut off.
    problems = []
    for width in ADMIN_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"the preview at {width}px: {p}" for p in problems_of(page, width)]
    assert problems == []
    page.set_viewport_size({"width": 1440, "height": 900})  # as the page fixture opens it

    page.locator("input[name=confirm]").click()
    expect(page).to_have_url(re.compile(r"/admin/activities/activity/$"))
    finished = _("Import finished: {} new, {} updated, {} deleted and {} skipped {}.").format(
        len(SEASON), 0, 0, 0, Activity._meta.verbose_name_plural
    )
    expect(page.locator(".messagelist .success")).to_have_text(finished)
    expect(results(page)).to_have_count(in_charge + len(SEASON))
    figures = page.locator("#result_list td.field-figure")
    # The figures put no-break spaces between number, unit and qualifier; \s matches them.
    expect(figures.filter(has_text=re.compile(r"^30\.000\.000\s+đ$"))).to_have_count(2)
    expect(
        figures.filter(has_text=re.compile(r"^hơn\s50\s+suất\s·\s25\.000\.000\s+đ$"))
    ).to_be_visible()
    expect(figures.filter(has_text=re.compile(r"^1\.500\s+con/cây$"))).to_be_visible()
    expect(figures.filter(has_text=re.compile(r"^khoảng\s120\s+ngày\scông$"))).to_be_visible()
    expect(page.locator("#result_list th.field-when", has_text="20/1/2026")).to_have_count(1)
    page.screenshot(path=artifacts / "staff-import-list.png", full_page=True)

    imported = {a.description: a for a in Activity.objects.filter(description__in=DESCRIPTIONS)}
    assert imported.keys() == set(DESCRIPTIONS)
    money = imported[DESCRIPTIONS[0]]
    assert (money.value_vnd, money.starts_on) == (30_000_000, datetime.date(2026, 1, 15))
    assert money.giver.slug == "phuong-an-nhon-bac" and money.recipient.code == "23869"
    assert imported[DESCRIPTIONS[1]].starts_on == datetime.date(2026, 1, 20)
    gifts = imported[DESCRIPTIONS[2]]
    assert (gifts.quantity, gifts.quantity_qualifier) == (50, Qualifier.OVER)
    assert gifts.recipient.slug == "lang-ghe-xa-ia-dok"
    assert imported[DESCRIPTIONS[5]].status == ActivityStatus.PLEDGED

    # The list's search finds the imported descriptions (the same search is empty below).
    search(page, "cà phê")
    expect(results(page)).to_have_count(2)

    # --- The editor of Xã Biển Hồ, in a browser of their own -----------------------------
    context, other = open_page(
        browser,
        live_server,
        foreign_requests,
        page_errors,
        locale="vi-VN",
        viewport={"width": 1440, "height": 900},
    )
    try:
        log_in(other, bien_ho_editor)
        other.goto(LIST)
        expect(results(other)).to_have_count(1)
        expect(other.locator("#result_list")).to_contain_text("Xã Biển Hồ – Xã Gào")
        expect(other.locator("#result_list")).not_to_contain_text("An Nhơn Bắc")
        other.screenshot(path=artifacts / "staff-import-other-commune.png", full_page=True)
        for term in ("cà phê", "Tết", "An Nhơn Bắc"):
            search(other, term)
            expect(other.locator("#changelist-search")).to_be_visible()
            expect(results(other)).to_have_count(0)

        # An imported activity's page, reached by its address: not found.
        not_found(other, f"{LIST}{money.pk}/change/", page_errors)
        other.screenshot(path=artifacts / "staff-import-not-found.png", full_page=True)
        not_found(other, f"{LIST}{money.pk}/history/", page_errors)

        # The agreement autocomplete of a new activity offers Biển Hồ's agreement only.
        other.goto(f"{LIST}add/")
        other.locator("#id_agreement + .select2 .select2-selection").click()
        options = other.locator(".select2-container--open .select2-results__option[role=option]")
        expect(options).to_have_text(["Xã Biển Hồ – Xã Gào"])
        other.locator(".select2-container--open .select2-search__field").fill("an nhon bac")
        expect(other.locator(".select2-container--open .select2-results__message")).to_be_visible()
        expect(options.filter(has_text="An Nhơn Bắc")).to_have_count(0)
        answer = other.request.get(
            "/admin/autocomplete/",
            params={
                "app_label": "activities",
                "model_name": "activity",
                "field_name": "agreement",
                "term": "an nhon bac",
            },
        )
        assert answer.status == 200 and answer.json()["results"] == []

        # The same file, imported from Biển Hồ: every row refused at its agreement, none
        # written or changed.
        other.goto(f"{LIST}import/")
        other.locator("#id_import_file").set_input_files(season)
        other.locator("#id_format").select_option(label="xlsx")
        other.locator("#content form [type=submit]").click()
        refused = other.locator("table.import-preview tbody tr")
        expect(refused).to_have_count(len(SEASON))
        expect(other.locator("input[name=confirm]")).to_have_count(0)
        # Each wrong cell is marked, its message written in it: here every row's agreement.
        agreement_column = [
            cell.text_content().strip()
            for cell in other.locator("table.import-preview thead th").all()
        ].index(_("Agreement"))
        wrong = other.locator(f"table.import-preview tbody tr td:nth-child({agreement_column + 1})")
        expect(wrong).to_have_count(len(SEASON))
        unknown = _("No agreement has the title or short name “%(value)s”.") % {"value": IA_DOK}
        for index in range(len(SEASON)):
            expect(wrong.nth(index)).to_have_class("has-error")
            expect(wrong.nth(index).locator(".cell-error")).to_be_visible()
        expect(other.locator(".cell-error", has_text=unknown)).to_have_count(
            sum(row["agreement"] == IA_DOK for row in SEASON)
        )
        other.screenshot(path=artifacts / "staff-import-refused.png", full_page=True)
    finally:
        context.close()

    assert Activity.objects.count() == before + len(SEASON)
    assert Activity.objects.get(pk=money.pk).value_vnd == 30_000_000
    assert foreign_requests == []
    assert page_errors == []

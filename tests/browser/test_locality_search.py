"""The locality field of the filters, with its script (static/ketnghia/locality-search.js): a
leader types "ia dok" on /thong-ke/, picks Xã Ia Dơk among the suggestions with the keyboard,
sends the form and reads the commune's figures; on a phone a tap chooses a village on the
agreement list. The field passes axe-core with its suggestions open, and the Nu Html Checker
in every state the server writes (a locality applied, several matches, none).

Without the script the field is a text field the server searches: tests/site/
test_locality_search.py. Written to test-artifacts/: locality-search-1280.png and
locality-search-390.png, the suggestions open.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tests.browser.test_validity import (
    AXE_JS,
    axe_findings,
    axe_page,
    nu_html_checker,
    readable,
    require,
)

FILTERS = "form.dashboard-filters"


def open_filters(page):
    summary = page.locator("details.filters > summary")
    if page.locator("details.filters[open]").count() == 0:
        summary.click()


def suggestions(page, field, words):
    """Types the words into the field as a person does; the listbox it controls."""
    field.click()
    field.press_sequentially(words, delay=40)
    listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    return listbox


# The live server runs in another thread: it sees committed data only. serialized_rollback
# brings back the rows the data migrations wrote, which the flush after the test removes.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_commune_chosen_with_the_keyboard(browser, live_server, demo, artifacts):
    foreign_requests, page_errors = [], []
    context, page = open_page(
        browser,
        live_server,
        foreign_requests,
        page_errors,
        locale="vi-VN",
        viewport={"width": 1280, "height": 900},
    )
    page.goto("/thong-ke/")
    open_filters(page)
    field = page.get_by_role("combobox", name=re.compile("Địa phương, đơn vị"))
    expect(field).to_have_attribute("aria-autocomplete", "list")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).to_have_attribute("aria-controls", "id_locality-listbox")
    status = page.locator(".locality-field [role=status]")

    # One character asks nothing; two and more, after a pause.
    field.click()
    field.press_sequentially("i")
    page.wait_for_timeout(400)
    expect(page.get_by_role("listbox")).to_be_hidden()
    field.fill("")

    listbox = suggestions(page, field, "ia dok")
    commune = listbox.get_by_role("option", name=re.compile("^Xã Ia Dơk"))
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(commune).to_contain_text("Tỉnh Gia Lai")  # its kind and parent
    one = page.locator(".locality-field").get_attribute("data-one")
    expect(status).to_have_text(one)
    page.screenshot(path=artifacts / "locality-search-1280.png")

    # Down reaches it (the focus stays in the field), Enter chooses it without sending.
    field.press("ArrowDown")
    expect(field).to_be_focused()
    expect(commune).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", commune.get_attribute("id"))
    field.press("Enter")
    expect(field).to_have_value("Xã Ia Dơk")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    expect(page.locator(f"{FILTERS} input[type=hidden][name=locality]")).to_have_value("xa-ia-dok")
    expect(page).to_have_url(re.compile(r"/thong-ke/$"))

    # Enter again sends the form: the slug only, and the commune's figures.
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"/thong-ke/\?.*\blocality=xa-ia-dok(&|$)"))
    assert page.url.count("locality=") == 1
    main = page.locator("main")
    expect(main.locator(".applied")).to_contain_text("Xã Ia Dơk")
    expect(main.locator(".tiles").first).to_contain_text("2 giao ước đang hiệu lực")
    expect(main.locator(".tiles").first).to_contain_text("90 triệu đồng")
    expect(main.locator("a[href='/thong-ke/xa-ia-dok/']").first).to_be_visible()
    # The page names the commune in the field, and keeps it when sent again.
    open_filters(page)
    field = page.get_by_role("combobox", name=re.compile("Địa phương, đơn vị"))
    expect(field).to_have_value("Xã Ia Dơk")
    page.locator("#id_year_to").fill("2025")
    page.locator(f"{FILTERS} button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"year_to=2025&locality=xa-ia-dok"))
    expect(main.locator(".applied")).to_contain_text("Xã Ia Dơk")

    # Up from the field reaches the last suggestion, Down wraps to the first; Escape closes
    # the list, then empties the field: the whole province.
    field = page.get_by_role("combobox", name=re.compile("Địa phương, đơn vị"))
    field.fill("")
    listbox = suggestions(page, field, "an nhon")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(5)
    expect(status).to_contain_text("5")
    field.press("Escape")
    expect(listbox).to_be_hidden()
    field.press("ArrowUp")
    expect(options.last).to_have_attribute("aria-selected", "true")
    expect(options.last).to_contain_text("Xã An Nhơn Tây")
    field.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options.first).to_contain_text("Phường An Nhơn")
    field.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).to_have_value("an nhon")
    field.press("Escape")
    expect(field).to_have_value("")
    field.press("Enter")
    expect(main.locator(".applied")).to_contain_text("toàn tỉnh")

    context.close()
    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors  # a script refused by the CSP is an error here


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_village_tapped_on_a_phone(phone, demo, foreign_requests, page_errors, artifacts):
    page = phone
    page.goto("/giao-uoc/")
    open_filters(page)
    field = page.get_by_role("combobox", name=re.compile("Địa phương, đơn vị"))
    listbox = suggestions(page, field, "ghe")
    village = listbox.get_by_role("option", name=re.compile("^Làng Ghè"))
    expect(village).to_contain_text("Xã Ia Dơk")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{width}px wide with the suggestions open"
    page.screenshot(path=artifacts / "locality-search-390.png")
    village.tap()
    expect(field).to_have_value("Làng Ghè")
    expect(listbox).to_be_hidden()
    page.get_by_role("button", name="Xem giao ước").tap()
    expect(page).to_have_url(re.compile(r"locality=lang-ghe-xa-ia-dok"))
    expect(page.locator("ul.cards > li")).to_have_count(1)
    expect(page.locator("ul.cards")).to_contain_text("Phường An Nhơn Bắc – Làng Ghè")
    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors


# Every state of the field, as the server writes it: empty, applied, several, none.
STATES = [
    "/thong-ke/",
    "/thong-ke/?locality=ia+dok",
    "/thong-ke/?locality=an+nhon&year_to=2025",
    "/thong-ke/vung-dong-bao/?locality=an+nhon",
    "/thong-ke/vung-dong-bao/?locality=khong+co",
    "/giao-uoc/?locality=lang-ghe-xa-ia-dok",
    "/giao-uoc/?locality=an+nhon&sort=title",
    "/giao-uoc/?locality=khong+co",
    "/en/giao-uoc/?locality=an+nhon",
]


@pytest.mark.browser
# Transactional like the rest of the file: make test hands out whole files, and a file runs
# after the plain tests of its worker only when all its tests are transactional.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_state_of_the_field_is_valid_html(client, demo, tmp_path):
    files, names = [], {}
    for index, path in enumerate(STATES):
        response = client.get(path)
        assert response.status_code == 200, path
        file = tmp_path / f"state-{index}.html"
        file.write_bytes(response.content)
        files.append(file)
        names[str(file)] = path
    errors = [m for m in nu_html_checker(files) if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(readable(m, names) for m in errors)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_state_of_the_field_passes_axe(browser, live_server, demo):
    require(AXE_JS, "axe-core (npm package axe-core)")
    foreign_requests, page_errors = [], []
    context, page = axe_page(browser, live_server, foreign_requests, page_errors, 390, 844)
    problems = []

    def check(what):
        problems.extend(axe_findings(page, what))

    try:
        for path in STATES:
            page.goto(path)
            open_filters(page)
            check(path)
        # The suggestions open, one of them reached with the keyboard.
        for path in ("/thong-ke/", "/giao-uoc/"):
            page.goto(path)
            open_filters(page)
            field = page.locator(".locality-field [role=combobox]")
            suggestions(page, field, "an nhon")
            field.press("ArrowDown")
            check(f"{path}, suggestions open")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not foreign_requests and not page_errors

"""A leader reads the province's dashboard on a computer and on a phone, filters it, and prints
it to A4; the charts need no script.

Written to test-artifacts/ (CI keeps them): dashboard-1280.png, dashboard-390.png,
dashboard-locality-390.png, dashboard-coverage-390.png and dashboard-print.pdf (the print layout
as Chromium prints it on A4).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page

A4_POINTS = (595.3, 841.9)  # 210 by 297 mm (Chromium rounds up to 596 by 843)


def fits(page, width):
    """Nothing wider than the screen: only a .table-wrap may scroll sideways. Measured once the
    stylesheet applies (before it, a chart is its 400 px default)."""
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def no_script(page):
    """The charts need no script: the only one is the locality field's (locality-search.js)."""
    sources = page.evaluate("[...document.scripts].map((script) => script.src)")
    assert all(source.endswith("/static/ketnghia/locality-search.js") for source in sources)


@pytest.fixture
def desktop(browser, live_server, foreign_requests, page_errors):
    context, page = open_page(
        browser,
        live_server,
        foreign_requests,
        page_errors,
        locale="vi-VN",
        viewport={"width": 1280, "height": 900},
    )
    yield page
    context.close()


# The live server runs in another thread: it sees committed data only. serialized_rollback
# brings back the rows the data migrations wrote, which the flush after the test removes.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_province_dashboard_on_a_computer_filtered_and_printed(
    desktop, demo, foreign_requests, page_errors, artifacts
):
    page = desktop
    page.goto("/")
    page.locator(".site-nav a[href='/thong-ke/']").click()
    expect(page).to_have_url(re.compile(r"/thong-ke/$"))
    main = page.locator("main")
    expect(main.locator(".tiles").first).to_contain_text("hơn 690 triệu đồng")
    expect(main).to_contain_text("gần 15.000 ngày công")
    # Four charts, drawn: the period bar is hatched, every chart has its table.
    charts = main.locator("figure.chart-figure")
    expect(charts).to_have_count(4)
    assert main.locator("svg.chart").count() == 4
    expect(main.locator("svg.chart g.period").first).to_be_visible()
    for index in range(4):
        box = charts.nth(index).locator("svg.chart").bounding_box()
        assert box["width"] > 300 and box["height"] > 20
    no_script(page)
    fits(page, 1280)
    page.screenshot(path=artifacts / "dashboard-1280.png", full_page=True)

    # The filter form: the years 2010 to 2025.
    page.locator(".filters summary").click()
    page.locator("#id_year_from").fill("2010")
    page.locator("#id_year_to").fill("2025")
    page.locator("form.dashboard-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/thong-ke/\?year_from=2010&year_to=2025"))
    expect(main.locator(".tiles").first).to_contain_text("90 triệu đồng")
    expect(main).not_to_contain_text("15.000 ngày công")
    # The 20-year figures are cut by these years: said, not counted.
    expect(main.locator(".left-out")).to_be_visible()

    # A bad year: told at the field, the page still there.
    page.goto("/thong-ke/?year_from=hai-nghin")
    expect(page.locator("#id_year_from-error")).to_be_visible()
    expect(page.locator("#id_year_from")).to_have_attribute("aria-invalid", "true")

    # The print version of the filtered page, printed on A4.
    page.goto("/thong-ke/?year_from=2003&year_to=2025")
    page.locator("a[href$='print=1']").click()
    expect(page).to_have_url(re.compile(r"print=1"))
    page.emulate_media(media="print")
    for hidden in (".site-header", ".dashboard-filters", ".dashboard .actions", ".site-footer"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator(".print-only").first).to_contain_text("/thong-ke/?year_from=2003")
    pdf = page.pdf(format="A4", path=artifacts / "dashboard-print.pdf")
    assert pdf.startswith(b"%PDF")
    sizes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert sizes, "the PDF names no page size"
    for width, height in sizes:
        assert float(width) == pytest.approx(A4_POINTS[0], abs=1.5)
        assert float(height) == pytest.approx(A4_POINTS[1], abs=1.5)
    assert len(sizes) <= 6  # a report, not a scroll

    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dashboards_on_a_phone(phone, demo, foreign_requests, page_errors, artifacts):
    page = phone
    page.goto("/thong-ke/")
    expect(page.locator("h1")).to_be_visible()
    fits(page, 390)
    # Labels and figures of every chart stay inside its box: none runs over another.
    for chart in page.locator("svg.chart").all():
        box = chart.bounding_box()
        for text in chart.locator("text").all():
            text_box = text.bounding_box()
            assert text_box["x"] + text_box["width"] <= box["x"] + box["width"] + 1, (
                text.text_content()
            )
    no_script(page)
    page.screenshot(path=artifacts / "dashboard-390.png", full_page=True)

    # A commune's dashboard, from its page.
    page.goto("/dia-phuong/xa-ia-dok/")
    page.locator("a[href='/thong-ke/xa-ia-dok/']").click()
    expect(page.locator("h1")).to_contain_text("Xã Ia Dơk")
    expect(page.locator("main")).to_contain_text("90 triệu đồng")
    fits(page, 390)
    page.screenshot(path=artifacts / "dashboard-locality-390.png", full_page=True)

    page.goto("/thong-ke/vung-dong-bao/")
    expect(page.locator("table.coverage")).to_contain_text("Xã Ia Dơk")
    fits(page, 390)
    page.screenshot(path=artifacts / "dashboard-coverage-390.png", full_page=True)

    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors

"""The maps as a leader meets them (issue 14): the province dashboard's map on a computer and
on a phone, its marks reached with the keyboard, its table listing the same places, nothing
fetched from elsewhere.

Written to test-artifacts/ (CI keeps them): map-province-1280.png, map-province-390.png.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboards import desktop, fits  # noqa: F401  (a fixture)


def marks_and_table(page):
    figure = page.locator("figure.map-figure").first
    svg = figure.locator("svg.map")
    expect(svg).to_be_visible()
    marks = [link.get_attribute("aria-label") for link in svg.locator("a").all()]
    figure.locator("details summary").click()
    names = [cell.inner_text() for cell in figure.locator("tbody th a").all()]
    return figure, marks, names


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_province_map_on_a_computer_and_on_a_phone(
    desktop,  # noqa: F811
    phone,
    demo,
    foreign_requests,
    page_errors,
    artifacts,
):
    for page, width in ((desktop, 1280), (phone, 390)):
        page.goto("/thong-ke/")
        figure, marks, names = marks_and_table(page)
        # The seed articles' parties with a point: the two wards, the commune, the village
        # and the former city; Sư đoàn 320 has none, and is said.
        assert sorted(marks) == sorted(names)
        assert {"Xã Ia Dơk", "Phường An Nhơn Bắc", "Làng Ghè", "Thành phố Pleiku"} <= set(marks)
        expect(figure).to_contain_text("Sư đoàn 320")
        box = figure.locator("svg.map").bounding_box()
        assert box["width"] <= width and box["height"] > 150
        fits(page, width)
        # The marks are links the keyboard reaches: focus one, Enter opens its page.
        first = figure.locator("svg.map a").first
        first.focus()
        assert page.evaluate("document.activeElement.closest('svg.map') !== null")
        figure.locator("details summary").click()  # closed again for the picture
        figure.screenshot(path=artifacts / f"map-province-{width}.png")
        # The map of the country: the archipelagos named as Viet Nam's.
        country = page.locator("figure.map-figure").nth(1)
        expect(country).to_contain_text("Các bên kết nghĩa trên bản đồ Việt Nam")
        labels = country.locator("svg.map text.place-name")
        expect(labels).to_have_count(2)
        expect(labels.first).to_have_text("Quần đảo Hoàng Sa (Việt Nam)")
        expect(labels.nth(1)).to_have_text("Quần đảo Trường Sa (Việt Nam)")
        first.press("Enter")
        expect(page).to_have_url(re.compile(r"/dia-phuong/[-a-z0-9]+/$"))

    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors

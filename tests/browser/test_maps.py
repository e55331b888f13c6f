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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_places_a_village_by_a_click_on_the_map(
    page, live_server, admin_user, foreign_requests, page_errors, artifacts
):
    """Issue 14: a village gets its point typed, or by a click on the map of its commune."""
    from decimal import Decimal

    from localities.models import Locality, LocalityKind
    from tests.browser.test_admin_entry import log_in

    commune = Locality.objects.create(
        name="Xã Thử Bản Đồ",
        kind=LocalityKind.COMMUNE,
        latitude=Decimal("13.98"),
        longitude=Decimal("108.01"),
    )
    village = Locality.objects.create(name="Làng Thử", kind=LocalityKind.VILLAGE, parent=commune)
    log_in(page, admin_user)
    page.goto(f"/admin/localities/locality/{village.pk}/change/")
    picker = page.locator("#point-picker")
    expect(picker).to_contain_text("Xã Thử Bản Đồ")  # the commune, to place the village by
    box = picker.bounding_box()
    # A click at the middle of the map: the commune's point, the frame's centre.
    picker.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude = float(page.locator("#id_latitude").input_value())
    longitude = float(page.locator("#id_longitude").input_value())
    assert abs(latitude - 13.98) < 0.02 and abs(longitude - 108.01) < 0.02
    expect(picker.locator("circle.k-picked")).to_have_count(1)
    picker.screenshot(path=artifacts / "admin-point-picker.png")
    page.locator("input[name=_continue]").click()
    village.refresh_from_db()
    assert abs(float(village.latitude) - latitude) < 1e-5
    assert abs(float(village.longitude) - longitude) < 1e-5
    # Typed coordinates move the mark.
    page.locator("#id_latitude").fill("14.1")
    cy = float(picker.locator("circle.k-picked").get_attribute("cy"))
    assert cy < box["height"] / 2  # north of the middle: higher on the map
    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors

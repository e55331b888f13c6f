"""A citizen on a phone finds an agreement, reads what it delivered, and switches language.

Screenshots of the home, list, agreement and locality pages go to test-artifacts/ (CI keeps
them): phone-home.png, phone-list.png, phone-agreement.png, phone-locality.png.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from localities.models import Locality


def no_horizontal_scroll(page):
    """The page fits the phone's width: nothing but a .table-wrap may scroll sideways."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px screen"
    # Nor does a figure spill out of its tile or card ("gần 15.000 ngày công" on the home page).
    spilled = page.evaluate(
        """[...document.querySelectorAll('main .tile, main .card')]
            .filter(box => box.scrollWidth > box.clientWidth + 1)
            .map(box => box.innerText.split('\\n')[0])"""
    )
    assert not spilled, f"{page.url}: {spilled} spill out of their boxes on a 390px screen"


# The live server runs in another thread: it sees committed data only. serialized_rollback
# brings back the rows the data migrations wrote, which the flush after the test removes.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_citizen_finds_an_agreement_on_a_phone(
    phone, demo, foreign_requests, page_errors, artifacts
):
    page = phone
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / "phone-home.png", full_page=True)

    # The home's search box (the other pages have it in the header), without diacritics: the
    # ward, then its agreements.
    page.locator("#home-search-q").fill("an nhon bac")
    page.locator("#home-search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/tim-kiem/\?q=an\+nhon\+bac$"))
    places = page.locator("main section[aria-labelledby=places] .title a")
    expect(places.filter(has_text="Phường An Nhơn Bắc")).to_have_count(1)
    results = page.locator("main section[aria-labelledby=agreements] .title a")
    expect(results.filter(has_text="Làng Ghè")).to_have_count(1)
    expect(results.filter(has_text="Xã Ia Dơk – Phường An Nhơn Bắc")).to_have_count(1)
    expect(results.filter(has_text="Sư đoàn 320")).to_have_count(0)
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / "phone-list.png", full_page=True)

    # The agreement with Làng Ghè: the 50 million in cash and the photographer's name.
    results.filter(has_text="Làng Ghè").click()
    expect(page).to_have_url(re.compile(r"/giao-uoc/phuong-an-nhon-bac-lang-ghe-2025/$"))
    expect(page.locator("h1")).to_contain_text("Làng Ghè")
    expect(page.get_by_text("50.000.000 đ").first).to_be_visible()
    expect(page.locator("main figcaption").filter(has_text="Đức Hải").first).to_be_visible()
    # The thumbnails load (served from MEDIA_ROOT): none is broken.
    images = page.locator("main img")
    assert images.count() > 0
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0, image.get_attribute("src")
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / "phone-agreement.png", full_page=True)

    # A locality's page: the village, reached from the agreement's parties.
    village = Locality.objects.get(slug="lang-ghe-xa-ia-dok")
    page.locator(f'main a[href="/dia-phuong/{village.slug}/"]').first.click()
    expect(page.locator("h1")).to_contain_text("Làng Ghè")
    expect(page.locator("main")).to_contain_text("Phường An Nhơn Bắc – Làng Ghè")
    no_horizontal_scroll(page)
    page.screenshot(path=artifacts / "phone-locality.png", full_page=True)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/giao-uoc/phuong-an-nhon-bac-lang-ghe-2025/$"))

    # English, then back to Vietnamese, by the links in the header.
    page.locator(".site-header .languages a[hreflang=en]").click()
    expect(page).to_have_url(re.compile(r"/en/giao-uoc/phuong-an-nhon-bac-lang-ghe-2025/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("50,000,000 đ").first).to_be_visible()  # English grouping
    page.locator(".site-header .languages a[hreflang=vi]").click()
    expect(page).to_have_url(re.compile(r"/giao-uoc/phuong-an-nhon-bac-lang-ghe-2025/$"))
    assert "/en/" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_who_was_present_is_listed_with_one_bullet_each(phone, demo, page_errors):
    """Issue 16: the attendee list showed two bullets a line (the timeline's dot and its own)."""
    page = phone
    page.goto("/giao-uoc/su-doan-320-thanh-pho-pleiku-2003/")
    present = page.locator(".timeline > li ul li")
    expect(present).to_have_count(4)
    expect(present.first).to_contain_text("Trịnh Duy Thuân")
    for index in range(present.count()):
        item = present.nth(index)
        assert item.evaluate("li => getComputedStyle(li, '::before').content") == "none"
        assert item.evaluate("li => getComputedStyle(li).listStyleType") in ("disc", "circle")
    no_horizontal_scroll(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_printed_page_has_a_letterhead_and_no_buttons(phone, demo, page_errors):
    """Issue 16: the print layout had no letterhead and printed the buttons."""
    page = phone
    page.goto("/giao-uoc/xa-ia-dok-phuong-an-nhon-bac-2025/")
    letterhead = page.locator(".letterhead")
    expect(letterhead).to_be_hidden()  # on screen, the site's own header
    page.emulate_media(media="print")
    expect(letterhead).to_be_visible()
    expect(letterhead).to_contain_text("Kết nghĩa Gia Lai")
    expect(letterhead).to_contain_text("/giao-uoc/xa-ia-dok-phuong-an-nhon-bac-2025/")
    today = timezone.localdate()
    expect(letterhead).to_contain_text(f"in ngày {today.day}/{today.month}/{today.year}")
    for control in ("button", ".button", "form", ".site-header"):
        boxes = page.locator(control)
        for index in range(boxes.count()):
            expect(boxes.nth(index)).to_be_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_agreements_results_are_read_without_scrolling_sideways(phone, demo, page_errors):
    """Issue 16: the results table was cut off at 390 px ("hơn 100.000.000 đ" past the edge)."""
    page = phone
    page.goto("/giao-uoc/su-doan-320-thanh-pho-pleiku-2003/")
    table = page.locator("table.data.stacked:has(caption)").first
    expect(table.locator("caption")).to_have_text("Đã thực hiện, theo loại hỗ trợ")
    cut = page.evaluate(
        """[...document.querySelectorAll('.table-wrap')]
            .filter(box => box.scrollWidth > box.clientWidth + 1).length"""
    )
    assert cut == 0
    # Each row stacked, each figure under its column's name.
    gifts = table.locator("tbody tr", has_text="Quà tặng")
    quantity, value = gifts.locator("td").nth(0), gifts.locator("td").nth(1)
    expect(quantity).to_have_attribute("data-label", "Số lượng")
    expect(quantity).to_contain_text("40 suất")
    expect(value).to_have_attribute("data-label", "Giá trị")
    expect(value).to_contain_text("hơn 100.000.000 đ")
    assert value.evaluate("td => getComputedStyle(td).display") == "block"
    assert value.is_visible() and value.bounding_box()["x"] + value.bounding_box()["width"] <= 390
    no_horizontal_scroll(page)

"""The needs board in the browser (issue 14): a village's need posted by its commune's clerk, a
military unit's offer, the commune's acceptance and the province officer's two clicks that make
a draft agreement of it; then the board and the need's page as a citizen reads them on a phone,
judged by the Nu Html Checker and axe.

Written to test-artifacts/ (CI keeps them): needs-board-390.png, need-390.png.
"""

import io

import pytest
from django.test import Client
from playwright.sync_api import expect

from activities.models import Need, NeedStatus, Offer, OfferStatus
from agreements.models import Agreement, AgreementStatus, CommitmentArea
from localities.models import Locality
from tests import factories
from tests.browser.test_admin_entry import PASSWORD, choose, fits, log_in
from tests.browser.test_validity import (
    AXE_JS,
    axe_findings,
    axe_page,
    nu_html_checker,
    readable,
    require,
)


def a_photo():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (180, 120, 60)).save(buffer, format="PNG")
    return {"name": "nha-van-hoa.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def switch_to(page, user):
    page.context.clear_cookies()
    log_in(page, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_village_posts_a_need_a_unit_answers_and_the_province_makes_a_draft(
    page, phone, demo, foreign_requests, page_errors, artifacts
):
    commune = Locality.objects.get(name="Xã Ia Dơk")
    unit = Locality.objects.get(name="Sư đoàn 320")
    clerk = factories.staff("can-bo-xa-ia-dok", "Cán bộ nhập liệu", commune, password=PASSWORD)
    unit_clerk = factories.staff("can-bo-su-doan-320", "Cán bộ nhập liệu", unit, password=PASSWORD)
    officer = factories.staff("can-bo-tinh", "Người duyệt đăng", whole=True, password=PASSWORD)

    # The commune's clerk posts the need of its village, with a photo.
    log_in(page, clerk)
    page.goto("/admin/activities/need/add/")
    choose(page, "id_locality", "lang ghe", "Làng Ghè")
    page.locator("#id_area").select_option(label="An sinh xã hội")
    page.locator("#id_title").fill("Sửa nhà văn hoá làng")
    page.locator("#id_activity_type").select_option(label="Xây dựng, sửa chữa nhà")
    page.locator("#id_quantity").fill("1")
    page.locator("#id_value_vnd").fill("80.000.000")
    page.locator("#id_priority").select_option(label="Cấp bách")
    page.locator("#id_photo").set_input_files(a_photo())
    fits(page)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Sửa nhà văn hoá làng")
    need = Need.objects.get()
    assert (need.locality.name, need.value_vnd, need.posted_by) == ("Làng Ghè", 80_000_000, clerk)

    # The unit's clerk finds it on the public board and offers, in the unit's name.
    switch_to(page, unit_clerk)
    page.goto("/can-ket-nghia/")
    page.get_by_role("link", name="Sửa nhà văn hoá làng").click()
    page.get_by_role("link", name="đề nghị hỗ trợ nhu cầu này").click()
    expect(page.locator("#select2-id_need-container")).to_contain_text("Sửa nhà văn hoá làng")
    choose(page, "id_party", "su doan 320", "Sư đoàn 320")
    page.locator("#id_description").fill("20 ngày công và 30 triệu đồng trong quý II.")
    page.locator("#id_value_vnd").fill("30.000.000")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("20 ngày công")
    offer = Offer.objects.get()
    assert (offer.party, offer.value_vnd, offer.offered_by) == (unit, 30_000_000, unit_clerk)

    # The commune accepts it.
    switch_to(page, clerk)
    page.goto(f"/admin/activities/offer/{offer.pk}/change/")
    page.get_by_role("button", name="Nhận lời").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã nhận lời")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED

    # The province officer makes a draft agreement of it: two clicks.
    switch_to(page, officer)
    page.goto(f"/admin/activities/offer/{offer.pk}/change/")
    page.get_by_role("link", name="Giao ước (bản nháp)", exact=True).click()
    page.get_by_role("button", name="Lập giao ước (bản nháp)").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã lập giao ước")
    agreement = Agreement.objects.get(offers=offer)
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.title == "Làng Ghè – Sư đoàn 320"
    assert page.url.endswith(f"/admin/agreements/agreement/{agreement.pk}/change/")
    need.refresh_from_db()
    assert need.status == NeedStatus.MET

    # A citizen on a phone: the need taken up, the unit named, the draft not.
    phone.goto("/can-ket-nghia/?status=met")
    expect(phone.locator(".cards.needs")).to_contain_text("Sửa nhà văn hoá làng")
    fits(phone)
    phone.screenshot(path=artifacts / "needs-board-390.png", full_page=True)
    phone.get_by_role("link", name="Sửa nhà văn hoá làng").click()
    expect(phone.locator("main")).to_contain_text("Sư đoàn 320")
    expect(phone.locator("main")).to_contain_text("tỉnh đang chuẩn bị giao ước")
    expect(phone.locator("main")).not_to_contain_text(agreement.title)
    expect(phone.locator(".need-photo img")).to_be_visible()
    fits(phone)
    phone.screenshot(path=artifacts / "need-390.png", full_page=True)

    assert not foreign_requests, foreign_requests
    assert not page_errors, page_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_board_and_a_needs_page_pass_the_outside_judges(
    browser, live_server, demo, foreign_requests, page_errors, tmp_path
):
    require(AXE_JS, "axe-core (npm package axe-core)")
    area = CommitmentArea.objects.get(slug="an-sinh-xa-hoi")
    need = Need.objects.create(
        locality=Locality.objects.get(name="Làng Ghè"),
        area=area,
        title="Sửa nhà văn hoá làng",
        value_vnd=80_000_000,
    )
    unit = Locality.objects.get(name="Sư đoàn 320")
    Offer.objects.create(need=need, party=unit, description="30 triệu đồng trong quý II")
    commune = Locality.objects.get(name="Xã Ia Dơk")
    Need.objects.create(locality=commune, area=area, title="Học bổng cho học sinh nghèo")
    paths = [
        "/can-ket-nghia/",
        "/can-ket-nghia/?area=khong-co&priority=9",
        f"/can-ket-nghia/{need.pk}/",
    ]
    paths += [f"/en{path}" for path in paths]
    client, saved, names = Client(), [], {}
    for n, path in enumerate(paths):
        response = client.get(path)
        assert response.status_code == 200, path
        file = tmp_path / f"page-{n}.html"
        file.write_bytes(response.content)
        saved.append(file)
        names[str(file)] = path
    errors = [m for m in nu_html_checker(saved) if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(readable(m, names) for m in errors)

    context, page = axe_page(browser, live_server, foreign_requests, page_errors, 390, 844)
    try:
        problems = []
        for path in paths:
            page.goto(path)
            problems += axe_findings(page, path)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not foreign_requests

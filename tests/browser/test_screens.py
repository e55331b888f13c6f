"""Every screen looked at as its users meet it: each public page on a phone (390 px), a laptop
(1280 px) and a wide screen (1920 px), each admin screen at 1280, 1366 and 1920 px.

On each: the page is no wider than the screen, and no box cuts its content off (a table that
only shows its last columns by scrolling inside its frame, a label hidden past the edge of its
cell). The screenshots go to test-artifacts/screens/ (CI keeps them); those of the main screens
are copied to docs/screenshots/ for the README.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from ketnghia.models import ErrorReport, ErrorReportStatus, WrittenReport
from tests import factories
from tests.browser.conftest import ARTIFACTS, open_page
from tests.browser.test_admin_entry import log_in
from tests.browser.test_validity import public_pages

PUBLIC_WIDTHS = (390, 1280, 1920)
ADMIN_WIDTHS = (1280, 1366, 1920)

# Each element whose content is wider than its box and does not show it: a box that scrolls
# sideways (overflow auto or scroll) or cuts off (hidden, clip) what is past its edge. Every
# <details> is opened first: what it holds is measured as its reader sees it. Left aside: boxes
# of one pixel (texts for screen readers only), a text that an ellipsis says is cut, an image
# button's label pushed out of sight (text-indent), and form fields, whose text scrolls inside
# them as the person types.
CLIPPED = """() => {
  for (const details of document.querySelectorAll('details')) details.open = true;
  const fields = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'OPTION']);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  const path = (el) => {
    const parts = [];
    let node = el;
    while (node && node !== document.body && parts.length < 4) {
      parts.unshift(name(node));
      node = node.parentElement;
    }
    return parts.join(' > ');
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) continue;
    if (el.clientWidth <= 1 || style.textOverflow === 'ellipsis') continue;
    if (fields.has(el.tagName) || parseFloat(style.textIndent) < 0) continue;
    if (style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      found.push(`${path(el)}: ${el.scrollWidth}px of content in ${el.clientWidth}px`);
    }
  }
  return found;
}"""


def problems_of(page, width):
    """What is wrong with the page as shown `width` px wide: [] when it fits."""
    page.wait_for_load_state("load")
    problems = []
    document_width = page.evaluate("document.documentElement.scrollWidth")
    if document_width > width:
        problems.append(f"the page is {document_width}px wide")
    problems += page.evaluate(CLIPPED)
    return problems


def slug(path):
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def look_at(page, screens, widths, folder):
    """Each (name, path) of `screens` at each of `widths`: a screenshot, and what does not fit."""
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in screens:
            response = page.goto(path)
            assert response.status == 200, f"{path}: {response.status}"
            page.screenshot(path=folder / f"{slug(name)}-{width}.png", full_page=True)
            problems += [f"{path} at {width}px: {p}" for p in problems_of(page, width)]
    return problems


# The live server runs in another thread: it sees committed data only. serialized_rollback
# brings back the rows the data migrations wrote, which the flush after the test removes.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_public_page_fits_a_phone_a_laptop_and_a_wide_screen(
    browser, live_server, demo, foreign_requests, page_errors
):
    screens = [(name, path) for name, path in public_pages() if not name.endswith("not-found")]
    context, page = open_page(browser, live_server, foreign_requests, page_errors, locale="vi-VN")
    try:
        problems = look_at(page, screens, PUBLIC_WIDTHS, ARTIFACTS / "screens" / "public")
    finally:
        context.close()
    assert not problems, f"{len(problems)} screens do not fit:\n" + "\n".join(problems)
    assert not foreign_requests
    assert not page_errors


def seed_report():
    """The 20-year tổng kết of Sư đoàn 320 – TP. Pleiku, as a clerk starts it."""
    return WrittenReport.objects.create(
        kind="final",
        scope="agreement",
        agreement=Agreement.objects.get(slug="su-doan-320-thanh-pho-pleiku-2003"),
        year_to=2023,
        issuer="SƯ ĐOÀN 320",
        situation="Sư đoàn 320 và TP. Pleiku gắn bó từ thời kỳ chiến tranh.",
    )


def admin_screens(user):
    """(name, path) of the admin's index and, for each model it registers, its list, its add
    form (where `user` may add) and the change form and history of one of its objects (the demo
    data's)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    screens = [("admin", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        name = f"admin-{model._meta.model_name}"
        screens.append((f"{name}-list", reverse(f"{prefix}_changelist")))
        if model_admin.has_add_permission(request):
            screens.append((f"{name}-add", reverse(f"{prefix}_add")))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            for view in ("change", "history"):
                screens.append((f"{name}-{view}", reverse(f"{prefix}_{view}", args=[obj.pk])))
    return screens


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_admin_screen_fits_a_clerks_screens(
    browser, live_server, demo, admin_user, foreign_requests, page_errors
):
    # A reader's report, answered, so that its change page and history are looked at too.
    ErrorReport.objects.create(
        page="/giao-uoc/xa-ia-dok-phuong-an-nhon-bac-2025/",
        message="Ngày ký giao ước là ngày 27-12-2025 theo bài báo; văn bản gốc ghi ngày khác.",
        email="ban-doc@example.vn",
        answer="Cảm ơn ông/bà, chúng tôi đã đối chiếu và sửa lại.",
        answered=timezone.now(),
        status=ErrorReportStatus.ANSWERED,
        sender="",
    )
    # The 20-year review's written report, so that its page (with the generated parts) is
    # looked at too.
    seed_report()
    screens = admin_screens(admin_user)
    assert ("admin-errorreport-change" in dict(screens)) and len(screens) > 40
    assert "admin-writtenreport-change" in dict(screens)
    # A province officer who may only read gets each record's page without forms
    # (localities.admin_view): those pages are looked at too.
    reader = factories.province_reader()
    client = Client()
    client.force_login(reader)
    read = [
        (f"reader-{name}", path)
        for name, path in admin_screens(reader)
        if name.endswith("-change") and client.get(path).status_code == 200
    ]
    assert ("reader-admin-agreement-change" in dict(read)) and len(read) > 10
    problems = []
    for user, shown in ((admin_user, screens), (reader, read)):
        context, page = open_page(
            browser, live_server, foreign_requests, page_errors, locale="vi-VN"
        )
        try:
            log_in(page, user)
            problems += look_at(page, shown, ADMIN_WIDTHS, ARTIFACTS / "screens" / "admin")
        finally:
            context.close()
    assert not problems, f"{len(problems)} screens do not fit:\n" + "\n".join(problems)
    assert not foreign_requests
    assert not page_errors

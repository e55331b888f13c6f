"""A provincial clerk prepares the two written reports the seed articles call for (issue 13),
in Chromium, through the admin: the yearly report of Xã Ia Dơk – Phường An Nhơn Bắc for 2025,
and the 20-year tổng kết of Sư đoàn 320 – TP. Pleiku. Each is written in the form (the
generated parts shown beside), then downloaded as .docx and PDF; the first page of each PDF is
drawn (poppler's pdftoppm) into test-artifacts/reports/, whence docs/screenshots/ takes it.
"""

import io
import subprocess

import docx
import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from ketnghia.models import ReportFile, ReportFileStatus, WrittenReport
from tests.browser.test_admin_entry import choose
from tests.browser.test_plans import staff
from tests.browser.test_screens import problems_of
from tests.browser.test_staff_import import log_in

REPORTS = [
    # (file name, kind, agreement typed, agreement, from, to, what the clerk writes, subject)
    (
        "ia-dok-2025",
        "annual",
        "ia dok",
        "Xã Ia Dơk – Phường An Nhơn Bắc",
        "2025",
        "2025",
        "Hai địa phương ký kết giao ước theo Chỉ thị số 03-CT/TU và Kế hoạch số 43/KH-UBND.",
        "Kết quả thực hiện giao ước kết nghĩa giữa Xã Ia Dơk và Phường An Nhơn Bắc năm 2025",
    ),
    (
        "pleiku-tong-ket-20-nam",
        "final",
        "320",
        "Sư đoàn 320 – Thành phố Pleiku",
        "",
        "2023",
        "Sư đoàn 320 và TP. Pleiku gắn bó từ thời kỳ chiến tranh.",
        "Tổng kết 20 năm thực hiện giao ước kết nghĩa giữa Sư đoàn 320 và Thành phố Pleiku",
    ),
]


def download(page, button):
    with page.expect_download() as started:
        page.get_by_role("button", name=button).click()
    return started.value


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_writes_and_downloads_the_seed_reports(page, live_server, demo, artifacts):
    folder = artifacts / "reports"
    folder.mkdir(exist_ok=True)
    clerk = staff("canbo.baocao", "Quản trị tỉnh")
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, clerk)
    for name, kind, typed, agreement, year_from, year_to, words, subject in REPORTS:
        page.goto("/admin/ketnghia/writtenreport/add/")
        page.locator("#id_kind").select_option(kind)
        page.locator("#id_scope").select_option("agreement")
        choose(page, "id_agreement", typed, agreement)
        page.locator("#id_year_from").fill(year_from)
        page.locator("#id_year_to").fill(year_to)
        page.locator("#id_situation").fill(words)
        page.locator("#id_signer_name").fill("Nguyễn Văn A")
        page.locator("input[name=_continue]").click()
        expect(page.locator(".messagelist")).to_be_visible()
        report = WrittenReport.objects.latest("pk")
        # The generated parts, beside what the clerk wrote: the subject and the figures.
        generated = page.locator(".report-generated")
        expect(generated).to_contain_text(subject)
        assert problems_of(page, 1366) == []
        page.screenshot(path=folder / f"{name}-form-1366.png", full_page=True)

        word = download(page, _("Make %(label)s") % {"label": "Word (.docx)"})
        assert word.suggested_filename.endswith(".docx")
        opened = docx.Document(io.BytesIO(word.path().read_bytes()))
        assert words in "\n".join(p.text for p in opened.paragraphs)
        pdf = download(page, _("Make %(label)s") % {"label": "PDF"})
        target = folder / f"{name}.pdf"
        pdf.save_as(target)
        text = subprocess.run(
            ["pdftotext", str(target), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert subject in " ".join(text.split())
        # The first page, as a clerk would see it printed.
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(target),
                str(folder / f"{name}-page-1"),
            ],
            check=True,
        )
        assert (folder / f"{name}-page-1.png").stat().st_size > 10_000
        # Both files are in the report's history, ready again from its page.
        made = ReportFile.objects.filter(report=report)
        assert sorted(made.values_list("format", "status")) == [
            ("docx", ReportFileStatus.DONE),
            ("pdf", ReportFileStatus.DONE),
        ]
        page.reload()
        expect(page.locator("#files tbody tr")).to_have_count(2)

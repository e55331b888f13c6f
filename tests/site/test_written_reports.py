"""Written reports (issue 13): báo cáo năm, sơ kết, tổng kết of an agreement, a locality or the
province, as .docx (python-docx, Decree 30/2020 layout) and PDF (WeasyPrint, Liberation Serif
embedded), their figures the dashboards' own; made in the admin by staff in scope, kept with
their history, and by `manage.py report`.

The PDF checks read the file with poppler's pdfinfo, pdftotext and pdffonts (Debian's
poppler-utils, which .ci/run installs): without them these tests fail, never skip."""

import datetime
import io
import re
import subprocess
import unicodedata

import docx
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from activities.models import ActivityStatus, Award, AwardForm
from activities.reports import DashboardFilters, dashboard, locality_dashboard, totals_by_type
from agreements.models import Agreement, AgreementStatus
from ketnghia.models import ReportFile, ReportFileStatus, ReportKind, ReportScope, WrittenReport
from ketnghia.written import docx as docx_renderer
from ketnghia.written import outline, pdf
from localities.models import Locality, LocalityKind, StaffLocality
from tests import factories

IA_DOK = "xa-ia-dok-phuong-an-nhon-bac-2025"
PLEIKU = "su-doan-320-thanh-pho-pleiku-2003"


def report(**fields):
    fields.setdefault("kind", ReportKind.ANNUAL)
    fields.setdefault("scope", ReportScope.AGREEMENT)
    fields.setdefault("issuer_parent", "UBND TỈNH GIA LAI")
    fields.setdefault("issuer", "ỦY BAN NHÂN DÂN XÃ IA DƠK")
    fields.setdefault("signer_authority", "TM. ỦY BAN NHÂN DÂN")
    fields.setdefault("signer_position", "CHỦ TỊCH")
    fields.setdefault("signer_name", "Nguyễn Văn A")
    fields.setdefault("dated", datetime.date(2026, 1, 5))
    return WrittenReport.objects.create(**fields)


def document(written, **options):
    from django.utils import translation

    with translation.override(written.language):
        return outline.build(written, **options)


def opened(data):
    return docx.Document(io.BytesIO(data))


def all_text(word):
    """Every paragraph's text, those of the tables' cells included, in order."""
    found = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            found.extend(cell.text for cell in row.cells)
    return "\n".join(found)


def table_titled(word, words):
    """The rows of the table whose caption (the paragraph before it) holds `words`."""
    body = list(word.element.body.iterchildren())
    tables = {t._tbl: t for t in word.tables}
    for n, element in enumerate(body):
        if element in tables and words in "".join(body[n - 1].itertext()):
            return [[cell.text for cell in row.cells] for row in tables[element].rows]
    raise AssertionError(f"no table titled {words!r}")


def run_tool(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.mark.usefixtures("demo")
class TestTheSeedReports:
    """The two reports the issue names, on the demo data."""

    @pytest.fixture
    def ia_dok(self, db):
        agreement = Agreement.objects.get(slug=IA_DOK)
        return report(agreement=agreement, year_from=2025, year_to=2025)

    @pytest.fixture
    def pleiku(self, db):
        agreement = Agreement.objects.get(slug=PLEIKU)
        return report(
            agreement=agreement,
            kind=ReportKind.FINAL,
            year_to=2023,
            issuer_parent="",
            issuer="SƯ ĐOÀN 320",
            situation="Sư đoàn 320 và TP. Pleiku gắn bó từ thời kỳ chiến tranh.",
        )

    def test_the_docx_is_in_the_layout_of_decree_30(self, ia_dok):
        word = opened(docx_renderer.render(document(ia_dok)))
        section = word.sections[0]
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)
        assert section.page_width < section.page_height  # portrait
        # Word keeps lengths in twips (635 EMU): 15 mm is 850 of them, a hair under.
        twip = 635
        assert Mm(20) - twip <= section.top_margin <= Mm(25)
        assert Mm(20) - twip <= section.bottom_margin <= Mm(25)
        assert Mm(30) - twip <= section.left_margin <= Mm(35)
        assert Mm(15) - twip <= section.right_margin <= Mm(20)
        normal = word.styles["Normal"].font
        assert (normal.name, normal.size) == ("Times New Roman", Pt(14))
        # The legal grounds, cited as documents are: kind, number, date, issuer, subject.
        grounds = [p.text for p in word.paragraphs if p.text.startswith("Căn cứ")]
        assert grounds[0].startswith(
            "Căn cứ Chỉ thị số 03-CT/TU ngày 7/8/2025 của Ban Thường vụ Tỉnh ủy Gia Lai về "
            "tăng cường hoạt động kết nghĩa"
        )
        assert grounds[1].startswith("Căn cứ Kế hoạch số 43/KH-UBND ngày 22/8/2025")
        assert grounds[2] == (
            "Căn cứ giao ước kết nghĩa giữa Xã Ia Dơk và Phường An Nhơn Bắc ký ngày 27/12/2025;"
        )
        # The body: justified, first lines indented 1–1.27 cm, 6 pt after, 13–14 pt.
        body = [p for p in word.paragraphs if p.text.startswith("Căn cứ")]
        body += [p for p in word.paragraphs if "Giao ước kết nghĩa giữa Xã Ia Dơk" in p.text]
        assert len(body) >= 2
        for paragraph in body:
            assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
            assert Mm(10) <= paragraph.paragraph_format.first_line_indent <= Mm(12.7)
            assert paragraph.paragraph_format.space_after >= Pt(6)
            assert {run.font.name for run in paragraph.runs} == {"Times New Roman"}
            assert {run.font.size for run in paragraph.runs} <= {Pt(13), Pt(14)}
        # The title block: two columns, the motto bold in capitals, the date in italics.
        heading = word.tables[0]
        issuer, nation = (cell.paragraphs for cell in heading.rows[0].cells)
        assert [p.text for p in issuer if p.text] == [
            "UBND TỈNH GIA LAI",
            "ỦY BAN NHÂN DÂN XÃ IA DƠK",
            "Số:       /BC-UBND",
        ]
        assert issuer[1].runs[0].bold and not issuer[0].runs[0].bold
        assert not issuer[2].text and "w:pBdr" in issuer[2]._p.xml  # the rule, a line apart
        motto, freedom, rule, date = nation
        assert not rule.text and "w:pBdr" in rule._p.xml  # the rule under the motto, apart
        assert motto.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and motto.runs[0].bold
        assert motto.runs[0].font.size in (Pt(12), Pt(13))
        assert freedom.text == "Độc lập - Tự do - Hạnh phúc" and freedom.runs[0].bold
        assert freedom.runs[0].font.size in (Pt(13), Pt(14))
        # Dated at the issuing commune (its name), not the province.
        assert date.text == "Ia Dơk, ngày 05 tháng 01 năm 2026" and date.runs[0].italic
        paragraphs = word.paragraphs
        at = next(n for n, p in enumerate(paragraphs) if p.text == "BÁO CÁO")
        title, subject = paragraphs[at], paragraphs[at + 1]
        assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].bold
        assert subject.text == (
            "Kết quả thực hiện giao ước kết nghĩa giữa Xã Ia Dơk và Phường An Nhơn Bắc năm 2025"
        )
        assert subject.runs[0].bold
        # Sections "I. …" in bold capitals; the body ends with "./."; the footer.
        assert any(p.text == "I. ĐẶC ĐIỂM TÌNH HÌNH" and p.runs[0].bold for p in word.paragraphs)
        assert any(p.text.endswith("./.") for p in word.paragraphs)
        recipients, signature = (cell.paragraphs for cell in word.tables[-1].rows[0].cells)
        assert recipients[0].text == "Nơi nhận:"
        assert recipients[0].runs[0].bold and recipients[0].runs[0].italic
        assert recipients[0].runs[0].font.size == Pt(12)
        assert recipients[-1].text == "- Lưu: VT."
        assert {r.font.size for p in recipients[1:] for r in p.runs} == {Pt(11)}
        assert [p.text for p in signature if p.text] == [
            "TM. ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
            "Nguyễn Văn A",
        ]
        assert all(r.bold for p in signature for r in p.runs if r.text)
        # Page numbers in the header from page 2: none on page 1.
        assert section.different_first_page_header_footer
        assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
        assert "PAGE" in section.header.paragraphs[0]._p.xml

    def test_the_agreements_figures_are_its_pages(self, ia_dok, client):
        """Every figure of the results table is the agreement page's, and the seed's."""
        word = opened(docx_renderer.render(document(ia_dok)))
        rows = table_titled(word, "theo loại hỗ trợ")
        agreement = ia_dok.agreement
        expected = totals_by_type(agreement.activities.all(), ActivityStatus.DELIVERED)
        assert [row[1:] for row in rows[1:-1]] == [
            [t.name, t.quantity_display or "—", t.value_display or "—"] for t in expected
        ]
        assert rows[-1][-1] == "30.000.000\N{NO-BREAK SPACE}đ"
        page = client.get(reverse("agreements:detail", args=[agreement.slug])).content.decode()
        assert "30.000.000\N{NO-BREAK SPACE}đ" in page or "30.000.000&nbsp;đ" in page

    def test_the_twenty_year_review_says_what_the_article_says(self, pleiku):
        doc = document(pleiku)
        assert doc.subject == (
            "Tổng kết 20 năm thực hiện giao ước kết nghĩa giữa Sư đoàn 320 và Thành phố "
            "Pleiku (2003–2023)"
        )
        word = opened(docx_renderer.render(doc))
        rows = table_titled(word, "theo loại hỗ trợ")
        figures = {row[1]: (row[2], row[3]) for row in rows[1:]}
        nbsp = "\N{NO-BREAK SPACE}"
        assert figures["Xây dựng, sửa chữa nhà"] == (f"8{nbsp}căn", f"hơn{nbsp}500.000.000{nbsp}đ")
        assert figures["Khám bệnh, cấp thuốc miễn phí"][0] == f"915{nbsp}lượt người"
        assert figures["Quần áo"][0] == f"1.700{nbsp}bộ"
        assert figures["Tu sửa đường giao thông"][0] == f"43{nbsp}km"
        assert figures["Xây dựng đường bê tông"][0] == f"hơn{nbsp}7{nbsp}km"
        assert figures["Công trình nước sinh hoạt"][0] == f"9{nbsp}công trình"
        assert figures["Ngày công lao động"][0] == f"gần{nbsp}15.000{nbsp}ngày công"
        assert figures["Quà tặng"] == (f"40{nbsp}suất", f"hơn{nbsp}100.000.000{nbsp}đ")
        assert figures["Giấy khen"][0] == f"20{nbsp}giấy khen"
        assert figures["Tổng giá trị"][1] == f"hơn{nbsp}600.000.000{nbsp}đ"
        # The main works, one by one; the awards of the review (a tổng kết lists them).
        works = table_titled(word, "công trình đã")
        assert len(works) == 1 + 4
        awards = table_titled(word, "Khen thưởng")
        assert awards[1][1:5] == ["Giấy khen", "UBND TP. Pleiku và Sư đoàn 320; 7/2023", "10", "10"]
        text = all_text(word)
        assert "Sư đoàn 320 và TP. Pleiku gắn bó từ thời kỳ chiến tranh." in text
        assert "Báo Gia Lai" in text  # the source, in its appendix

    def test_the_pdf_is_a4_with_its_font_embedded_and_exact_vietnamese(self, pleiku, tmp_path):
        path = tmp_path / "tong-ket.pdf"
        path.write_bytes(pdf.render(document(pleiku)))
        info = run_tool("pdfinfo", str(path))
        assert "595.276 x 841.89 pts (A4)" in info
        text = run_tool("pdftotext", "-layout", str(path), "-")
        assert unicodedata.is_normalized("NFC", text)
        flat = " ".join(text.split())
        for words in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BÁO CÁO",
            "Tổng kết 20 năm thực hiện giao ước kết nghĩa giữa Sư đoàn 320 và Thành phố",
            "gần 15.000 ngày công",
            "hơn 500.000.000 đ",
            "915 lượt người",
            "./.",
        ]:
            assert words in flat, words
        # The sources' appendix on a page of its own, numbered apart: no number on its first.
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        last = run_tool("pdftotext", "-f", str(pages), "-l", str(pages), str(path), "-")
        assert last.strip().startswith("Phụ lục I\nNGUỒN TIN")
        fonts = run_tool("pdffonts", str(path)).splitlines()[2:]
        assert fonts and all("Liberation" in line for line in fonts)
        # Columns: name, type, encoding, emb, sub, uni, object, id — every font embedded.
        assert all(line.split()[-5] == "yes" for line in fonts)

    def test_an_english_report_on_request(self, pleiku):
        pleiku.language = "en"
        text = all_text(opened(docx_renderer.render(document(pleiku))))
        assert "SOCIALIST REPUBLIC OF VIET NAM" in text
        assert "Final review of 20 years of the twinning agreement" in text
        assert "REPORT" in text

    def test_a_locality_report_counts_as_its_dashboard(self, db):
        ia_dok = Locality.objects.get(slug="xa-ia-dok")
        written = report(scope=ReportScope.LOCALITY, locality=ia_dok, year_from=2025, year_to=2025)
        word = opened(docx_renderer.render(document(written)))
        rows = table_titled(word, "theo loại hỗ trợ")
        board = locality_dashboard(ia_dok, DashboardFilters(year_from=2025, year_to=2025))
        assert [row[1:] for row in rows[1:-1]] == [
            [t.name, t.quantity_display or "—", t.value_display or "—"] for t in board.by_type
        ]
        assert rows[-1][-1] == board.money.display

    def test_the_province_report_counts_as_the_dashboard(self, db):
        written = report(scope=ReportScope.PROVINCE, year_to=2025)
        word = opened(docx_renderer.render(document(written)))
        rows = table_titled(word, "theo loại hỗ trợ")
        board = dashboard(DashboardFilters(year_to=2025))
        assert [row[1:] for row in rows[1:-1]] == [
            [t.name, t.quantity_display or "—", t.value_display or "—"] for t in board.by_type
        ]
        assert rows[-1][-1] == board.money.display
        years = table_titled(word, "theo năm")
        assert [row[0] for row in years[1:]] == [bar.label for bar in board.by_year]
        agreements = table_titled(word, "Giao ước kết nghĩa")
        assert len(agreements) - 1 == board.pairs_count == 3

    def test_the_command_writes_the_same_file(self, pleiku, tmp_path):
        out = tmp_path / "report.docx"
        call_command(
            "report",
            "--agreement",
            PLEIKU,
            "--kind",
            "final",
            "--to",
            "2023",
            "--format",
            "docx",
            "--output",
            str(out),
            stdout=io.StringIO(),
        )
        # The saved report's own words: the same text as the admin's file.
        assert all_text(opened(out.read_bytes())) == all_text(
            opened(docx_renderer.render(document(pleiku)))
        )
        pdf_out = tmp_path / "report.pdf"
        call_command(
            "report",
            "--locality",
            "xa-ia-dok",
            "--from",
            "2025",
            "--format",
            "pdf",
            "--output",
            str(pdf_out),
            stdout=io.StringIO(),
        )
        assert pdf_out.read_bytes().startswith(b"%PDF")
        with pytest.raises(CommandError, match="Không có giao ước"):
            call_command("report", "--agreement", "khong-co", "--output", str(out))


# --- Rights, drafts and files, on data of their own -------------------------------------------


def staff(name, group, remit=None):
    user = User.objects.create_user(name, password="mat-khau-thu-9", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if remit is not None:
        StaffLocality.objects.create(user=user, locality=remit)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def two_communes(db):
    here, there = factories.locality("Xã Ở Đây"), factories.locality("Xã Ở Kia")
    unit = factories.locality("Đồn Bạn", kind=LocalityKind.MILITARY_UNIT)
    ours = factories.agreement(here, unit, title="Xã Ở Đây – Đồn Bạn", published=True)
    theirs = factories.agreement(there, unit, title="Xã Ở Kia – Đồn Bạn", published=True)
    factories.activity(ours, value_vnd=12_000_000, starts_on=datetime.date(2025, 3, 1))
    factories.activity(theirs, value_vnd=7_000_000, starts_on=datetime.date(2025, 3, 1))
    return here, ours, theirs


def form_data(**fields):
    data = {
        "kind": ReportKind.ANNUAL,
        "scope": ReportScope.AGREEMENT,
        "agreement": "",
        "locality": "",
        "year_from": "2025",
        "year_to": "2025",
        "language": "vi",
        "issuer_parent": "",
        "issuer": "",
        "number": "      /BC-UBND",
        "place": "Gia Lai",
        "dated": "05/01/2026",
        "subject": "",
        "situation": "",
        "results": "",
        "assessment": "",
        "lessons": "",
        "direction": "",
        "proposals": "",
        "recipients": "",
        "signer_authority": "",
        "signer_position": "",
        "signer_name": "",
    }
    data.update(fields)
    return data


ADD = "/admin/ketnghia/writtenreport/add/"


def make_url(written, format="docx"):
    return reverse("admin:ketnghia_writtenreport_make", args=[written.pk, format])


def test_staff_write_a_report_in_scope_and_download_it_at_once(two_communes):
    here, ours, _theirs = two_communes
    user, client = staff("can-bo-xa", "Cán bộ nhập liệu", remit=here)
    response = client.post(ADD, form_data(agreement=ours.pk, lessons="Phối hợp chặt chẽ."))
    assert response.status_code == 302, response.context["adminform"].form.errors
    written = WrittenReport.objects.get()
    # The heading comes from the agreement's first party when staff leave it empty.
    assert written.issuer == "ỦY BAN NHÂN DÂN XÃ Ở ĐÂY"
    assert written.issuer_parent == "UBND TỈNH GIA LAI"
    assert written.created_by == user
    page = client.get(reverse("admin:ketnghia_writtenreport_change", args=[written.pk]))
    assert "12.000.000" in page.content.decode()  # the generated parts, beside
    response = client.post(make_url(written, "docx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="bao-cao-nam-')
    word = opened(b"".join(response.streaming_content))
    assert "Phối hợp chặt chẽ." in all_text(word)
    made = ReportFile.objects.get()
    assert (made.status, made.progress, made.requested_by) == (ReportFileStatus.DONE, 100, user)
    assert made.seen_at is not None  # downloaded at once: nothing to tell in the inbox
    # The history: the file again, from the report's page.
    again = client.get(reverse("admin:ketnghia_writtenreport_file", args=[made.report_id, made.pk]))
    assert again.status_code == 200 and "no-store" in again["Cache-Control"]


def test_staff_outside_the_scope_neither_write_nor_download(two_communes):
    here, _ours, theirs = two_communes
    _user, client = staff("can-bo-xa", "Cán bộ nhập liệu", remit=here)
    response = client.post(ADD, form_data(agreement=theirs.pk))
    assert response.status_code == 200
    assert "agreement" in response.context["adminform"].form.errors
    response = client.post(ADD, form_data(scope=ReportScope.PROVINCE))
    assert response.context["adminform"].form.errors["scope"] == [
        "Chỉ cán bộ cấp tỉnh mới lập báo cáo toàn tỉnh."
    ]
    theirs_report = report(agreement=theirs, year_from=2025, year_to=2025)
    made = ReportFile.objects.create(
        report=theirs_report, format="docx", status=ReportFileStatus.DONE
    )
    change = reverse("admin:ketnghia_writtenreport_change", args=[theirs_report.pk])
    assert client.get(change).status_code == 404
    assert client.post(make_url(theirs_report)).status_code == 404
    download = reverse("admin:ketnghia_writtenreport_file", args=[made.report_id, made.pk])
    assert client.get(download).status_code == 404
    progress = reverse(
        "admin:ketnghia_writtenreport_file_progress", args=[theirs_report.pk, made.pk]
    )
    assert client.get(progress).status_code == 404
    assert not client.get("/admin/ketnghia/writtenreport/").context["cl"].result_count
    assert ReportFile.objects.count() == 1  # nothing made


def test_leaders_read_and_download_but_make_nothing(two_communes):
    here, ours, _theirs = two_communes
    written = report(agreement=ours, year_from=2025, year_to=2025)
    _user, client = staff("lanh-dao-xa", "Lãnh đạo", remit=here)
    assert (
        client.get(reverse("admin:ketnghia_writtenreport_change", args=[written.pk])).status_code
        == 200
    )
    assert client.post(make_url(written)).status_code == 403
    assert not ReportFile.objects.exists()


def test_a_draft_is_only_in_staff_reports_and_marked(two_communes, tmp_path):
    here, _ours, _theirs = two_communes
    draft = factories.agreement(
        here, factories.locality("Làng Mới", kind=LocalityKind.VILLAGE), title="Xã Ở Đây – Làng Mới"
    )
    factories.activity(draft, value_vnd=5_000_000, starts_on=datetime.date(2025, 6, 1))
    assert draft.status == AgreementStatus.DRAFT
    written = report(scope=ReportScope.LOCALITY, locality=here, year_from=2025, year_to=2025)
    staff_copy = all_text(opened(docx_renderer.render(document(written, include_drafts=True))))
    assert "Xã Ở Đây – Làng Mới (bản nháp, chưa công bố)" in staff_copy
    assert "Bản dành cho cán bộ: có tính cả giao ước còn là bản nháp" in staff_copy
    assert "17.000.000" in staff_copy  # 12 + 5 million: the draft's activity counted
    public = all_text(opened(docx_renderer.render(document(written))))
    assert "Làng Mới" not in public and "bản nháp" not in public
    assert "12.000.000" in public and "17.000.000" not in public
    # The command makes a draft's report only as a staff copy, asked for.
    out = tmp_path / "draft.docx"
    with pytest.raises(CommandError, match="bản nháp"):
        call_command("report", "--agreement", draft.slug, "--to", "2025", "--output", str(out))
    call_command(
        "report",
        "--agreement",
        draft.slug,
        "--to",
        "2025",
        "--drafts",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    assert "Giao ước này còn là bản nháp, chưa công bố." in all_text(opened(out.read_bytes()))


def test_a_failed_file_says_why_and_changes_nothing_else(two_communes, monkeypatch):
    from ketnghia import written as making

    here, ours, _theirs = two_communes
    _user, client = staff("can-bo-xa", "Cán bộ nhập liệu", remit=here)
    written = report(agreement=ours, year_from=2025, year_to=2025)

    def broken(doc):
        raise OSError("disk full")

    monkeypatch.setitem(making.RENDERERS, "pdf", broken)
    response = client.post(make_url(written, "pdf"), follow=True)
    assert "Không tạo được tệp: disk full" in response.content.decode()
    made = ReportFile.objects.get()
    assert made.status == ReportFileStatus.FAILED and "disk full" in made.error
    assert not made.file


def test_bad_years_are_told_at_the_field(two_communes):
    here, ours, _theirs = two_communes
    _user, client = staff("can-bo-xa", "Cán bộ nhập liệu", remit=here)
    response = client.post(ADD, form_data(agreement=ours.pk, year_from="2026", year_to="2025"))
    assert response.context["adminform"].form.errors["year_from"] == [
        "Năm đầu phải trước năm cuối."
    ]
    response = client.post(ADD, form_data(agreement=ours.pk, year_to="1800"))
    assert "year_to" in response.context["adminform"].form.errors
    response = client.post(ADD, form_data(agreement=""))
    assert response.context["adminform"].form.errors["agreement"] == ["Chọn giao ước của báo cáo."]
    assert not WrittenReport.objects.exists()


def test_the_change_page_runs_a_fixed_number_of_queries(
    two_communes, django_assert_max_num_queries
):
    here, ours, _theirs = two_communes
    user, client = staff("can-bo-xa", "Cán bộ nhập liệu", remit=here)
    written = report(agreement=ours, year_from=2025, year_to=2025)
    for _n in range(3):
        ReportFile.objects.create(report=written, format="pdf", requested_by=user)
    Award.objects.create(agreement=ours, form=AwardForm.MERIT, issuer="UBND tỉnh", people=1)
    with django_assert_max_num_queries(45):
        assert (
            client.get(
                reverse("admin:ketnghia_writtenreport_change", args=[written.pk])
            ).status_code
            == 200
        )


def test_large_reports_wait_for_the_job_queue(two_communes, settings):
    from ketnghia import written as making

    here, ours, _theirs = two_communes
    assert not making.is_large(report(agreement=ours, year_from=2025, year_to=2025))
    assert making.is_large(report(scope=ReportScope.PROVINCE, year_to=2025))
    long = report(scope=ReportScope.LOCALITY, locality=here, year_from=2005, year_to=2025)
    assert making.is_large(long)
    short = report(scope=ReportScope.LOCALITY, locality=here, year_from=2024, year_to=2025)
    assert not making.is_large(short)
    settings.REPORT_INLINE_PHOTOS = -1  # every agreement has more photos than that
    assert making.is_large(report(agreement=ours, year_from=2025, year_to=2025))


def test_staff_copies_go_to_their_requester_and_province_staff_only(two_communes):
    """A file that counts drafts counts those in its requester's charge: another account of
    the report's scope, with fewer drafts in its charge, does not get it."""
    here, ours, _theirs = two_communes
    written = report(agreement=ours, year_from=2025, year_to=2025, include_drafts=True)
    _maker, maker_client = staff("can-bo-xa", "Cán bộ nhập liệu", remit=here)
    _other, other_client = staff("lanh-dao-xa", "Lãnh đạo", remit=here)
    response = maker_client.post(make_url(written))
    assert response.status_code == 200
    made = ReportFile.objects.get()
    assert made.include_drafts
    url = reverse("admin:ketnghia_writtenreport_file", args=[written.pk, made.pk])
    assert maker_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 404
    page = other_client.get(reverse("admin:ketnghia_writtenreport_change", args=[written.pk]))
    assert url not in page.content.decode()
    province = User.objects.create_superuser("tinh", "tinh@example.org", "mat-khau-thu-9")
    province_client = Client()
    province_client.force_login(province)
    assert province_client.get(url).status_code == 200


def test_a_file_is_made_once_and_goes_with_its_row(
    two_communes, settings, tmp_path, django_capture_on_commit_callbacks
):
    from ketnghia import written as making

    settings.MEDIA_ROOT = str(tmp_path)
    _here, ours, _theirs = two_communes
    written = report(agreement=ours, year_from=2025, year_to=2025)
    queued = ReportFile.objects.create(report=written, format="pdf")
    claimed = making.claim(queued.pk)
    assert claimed is not None and claimed.status == ReportFileStatus.RUNNING
    assert making.claim(queued.pk) is None  # a second run of the job makes nothing
    making.make(claimed)
    stored = tmp_path / claimed.file.name
    assert stored.read_bytes().startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        written.delete()
    assert not stored.exists()


def test_the_subject_counts_the_years_as_a_clerk_does(two_communes):
    _here, ours, _theirs = two_communes
    Agreement.objects.filter(pk=ours.pk).update(signed_on=datetime.date(2015, 5, 1))
    ours.refresh_from_db()
    since_signing = report(agreement=ours, kind=ReportKind.INTERIM, year_to=2025)
    assert document(since_signing).subject.startswith("Sơ kết 10 năm thực hiện")
    five_years = report(agreement=ours, kind=ReportKind.INTERIM, year_from=2021, year_to=2025)
    assert document(five_years).subject.startswith("Sơ kết 5 năm thực hiện")
    assert document(five_years).subject.endswith("(2021–2025)")


def test_appendices_are_numbered_apart(two_communes, settings, tmp_path):
    """Phụ lục I, II…, each on pages numbered from 1; the English date reads as English."""
    settings.MEDIA_ROOT = str(tmp_path)
    _here, ours, _theirs = two_communes
    from agreements.models import Source

    Source.objects.create(
        agreement=ours, title="Báo Gia Lai", published_on=datetime.date(2025, 3, 2)
    )
    written = report(agreement=ours, year_from=2025, year_to=2025)
    word = opened(docx_renderer.render(document(written)))
    texts = [p.text for p in word.paragraphs]
    assert "Phụ lục I" in texts and "NGUỒN TIN" in texts
    assert any(t.startswith("(Kèm theo Báo cáo số") and "ngày 5/1/2026" in t for t in texts)
    assert len(word.sections) == 2
    assert 'w:start="1"' in word.sections[1]._sectPr.xml
    written.language = "en"
    english = document(written)
    assert english.place_date == "Ở Đây, 5 January 2026"
    assert english.appendices[0].label == "Appendix I"


def test_plans_meetings_and_pledges_have_their_tables(two_communes):
    """Against the plan where one exists, the meetings held, pledges apart from deliveries."""
    from activities.models import Meeting, MeetingKind

    _here, ours, _theirs = two_communes
    plan = factories.approved_plan(ours, 2025, description="Giao lưu văn nghệ")
    item = plan.items.get()
    factories.activity(
        ours, value_vnd=3_000_000, starts_on=datetime.date(2025, 5, 1), plan_item=item
    )
    factories.activity(
        ours,
        value_vnd=50_000_000,
        starts_on=datetime.date(2025, 6, 1),
        status=ActivityStatus.PLEDGED,
    )
    Meeting.objects.create(
        agreement=ours, kind=MeetingKind.YEAR, held_on=datetime.date(2025, 12, 10), place="Xã"
    )
    written = report(agreement=ours, year_from=2025, year_to=2025)
    word = opened(docx_renderer.render(document(written)))
    plan_rows = table_titled(word, "Kế hoạch năm 2025")
    assert plan_rows[1][1:] == [
        "Giao lưu văn nghệ",
        "hoàn thành nhiệm vụ",
        "1 hoạt động",
        "Hoàn thành",
    ]
    meetings = table_titled(word, "Hội nghị, giao ban, 2025")
    assert meetings[1][1] == "10/12/2025" and meetings[1][4] == "0"
    delivered = table_titled(word, "Kết quả thực hiện theo loại hỗ trợ")
    pledged = table_titled(word, "Cam kết hỗ trợ theo loại")
    assert delivered[-1][-1] == "15.000.000\N{NO-BREAK SPACE}đ"  # 12 + 3 million, delivered
    assert pledged[-1][-1] == "50.000.000\N{NO-BREAK SPACE}đ"

"""/thong-ke/: the province's dashboard, a locality's, the coverage of ethnic-minority villages,
their XLSX workbooks, their filters, drafts for staff, and their bounded queries."""

import datetime
import io
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext
from openpyxl import load_workbook

from activities.figures import format_quantity, format_vnd_words
from activities.models import ActivityStatus, Qualifier
from agreements.models import CommitmentArea, PartyRole, Programme
from ketnghia import charts
from ketnghia.public.dashboard_forms import YEAR_MESSAGES
from localities.models import Locality, LocalityKind, StaffLocality
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"
PROVINCE = "/thong-ke/"
COVERAGE = "/thong-ke/vung-dong-bao/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get(client, url, data=None, status=200):
    response = client.get(url, data or {})
    assert response.status_code == status, (url, data)
    return response


def html(response):
    return response.content.decode()


def workbook(response):
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def summary_figures(book):
    """The summary sheet's table of figures: {label: (value, qualifier)}."""
    sheet = book[gettext("Summary")]
    found, figures = False, {}
    for label, value, note, *_rest in sheet.iter_rows(values_only=True):
        if label == gettext("Figure"):
            found = True
        elif found and label:
            figures[label] = (value, note)
    return figures


def cell_of(sheet, header, first):
    """The cell of column `header` in the row whose first cell is `first`."""
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == first:
            return row[headers.index(header)]
    raise AssertionError(f"no row {first!r} in {sheet.title}")


def words(value, qualifier=Qualifier.EXACT):
    return format_vnd_words(value, qualifier)


# -- Charts: laid out on the server, without data from the database ---------------------------


class TestCharts:
    def bars(self):
        return [
            charts.Bar("2003–2023", 600_000_000, "hơn 600 triệu đồng", kind=charts.PERIOD),
            charts.Bar("2023", 0, "chưa có giá trị"),
            charts.Bar("2025", 90_000_000, "90 triệu đồng"),
            charts.Bar("2026", 1, "1 đồng"),
        ]

    def chart(self, bars=None):
        return charts.bar_chart(
            "chart-test",
            "Giá trị theo năm",
            self.bars() if bars is None else bars,
            label_heading="Năm",
            value_heading="Giá trị",
            note_heading="Ghi chú",
        )

    def test_every_figure_fits_after_its_bar_and_bars_follow_the_values(self):
        chart = self.chart()
        period, none, year, tiny = chart.rows
        for row in chart.rows:
            width = charts.text_width(row.bar.display, bold=True)
            assert row.value.x + width <= charts.WIDTH + 0.01
            assert row.x > 0  # short labels (years) sit on the bar's left
        assert period.width > year.width > tiny.width == charts.MIN_BAR
        assert none.width == 0
        assert year.width == pytest.approx(period.width * 90 / 600, abs=0.2)
        assert chart.height > 4 * charts.BAR_HEIGHT

    def test_long_labels_are_wrapped_above_their_bars_in_two_lines_at_most(self):
        label = (
            "Xây dựng Đảng, chính quyền, Mặt trận Tổ quốc và các tổ chức chính trị - xã hội "
            "vững mạnh, trong sạch, toàn diện ở cơ sở"
        )
        chart = self.chart([charts.Bar(label, 3, "3 giao ước"), charts.Bar("Quà tặng", 1, "1")])
        long, short = chart.rows
        assert len(long.labels) == 2
        assert long.labels[-1].text.endswith("…")
        for line in long.labels:
            assert charts.text_width(line.text) <= charts.WIDTH
            assert line.y < long.y  # above the bar
        assert long.x == 0 and short.labels[0].y > long.y + long.height  # rows never overlap
        assert " ".join(line.text for line in long.labels).startswith("Xây dựng Đảng,")

    def test_the_svg_draws_each_bar_with_its_figure_and_escapes_every_text(self):
        bars = [*self.bars(), charts.Bar("<b>&</b>", 5, "5 <suất>")]
        svg = str(self.chart(bars).svg)
        root = ElementTree.fromstring(svg)  # well-formed XML
        ns = {"svg": "http://www.w3.org/2000/svg"}
        assert root.get("viewBox").startswith("0 0 400 ")
        groups = root.findall("svg:g", ns) or root.findall("g")
        assert [g.get("class") for g in groups] == ["row period", "row", "row", "row", "row"]
        values = [g.findall("{*}text")[-1] for g in groups]
        assert [v.text for v in values] == [
            "hơn 600 triệu đồng",
            "chưa có giá trị",
            "90 triệu đồng",
            "1 đồng",
            "5 <suất>",
        ]
        assert values[1].get("class") == "value empty"
        assert groups[1].find("{*}rect") is None  # no bar for nothing
        period = groups[0].find("{*}rect")
        assert period.get("fill") == "url(#chart-test-period)"
        assert root.find("{*}defs/{*}pattern").get("id") == "chart-test-period"
        assert groups[4].find("{*}text").text == "<b>&</b>"
        assert "<b>" not in svg and "&lt;b&gt;&amp;&lt;/b&gt;" in svg
        assert '.0"' not in svg  # numbers as %g: 12, not 12.0

    def test_wrap_keeps_words_whole(self):
        assert charts.wrap("Khám bệnh, cấp thuốc miễn phí", width=120) == [
            "Khám bệnh,",
            "cấp thuốc…",
        ]
        assert charts.wrap("Quần áo") == ["Quần áo"]

    def test_an_empty_chart_is_false_and_says_so(self):
        chart = self.chart([])
        assert not chart
        rendered = render_to_string("charts/_figure.html", {"chart": chart})
        assert "<svg" not in rendered
        assert gettext("No figure for these filters.") in rendered

    def test_the_svg_is_hidden_from_screen_readers_who_get_the_table(self):
        rendered = render_to_string("charts/_figure.html", {"chart": self.chart()})
        svg = rendered[rendered.index("<svg") : rendered.index("</svg>")]
        assert 'aria-hidden="true"' in svg and 'viewBox="0 0 400 ' in svg
        assert "<script" not in rendered and "style=" not in rendered  # the CSP allows neither
        # The period bar is hatched with the chart's own pattern.
        assert 'id="chart-test-period"' in svg and 'fill="url(#chart-test-period)"' in svg
        table = rendered[rendered.index("<table") :]
        for label, display in (("2003–2023", "hơn 600 triệu đồng"), ("2025", "90 triệu đồng")):
            cell = f'<td class="number" data-label="Giá trị">{display}</td>'
            assert f'<th scope="row">{label}</th>{cell}' in table  # stacked in a narrow box
        assert "<summary>" in rendered and "Giá trị theo năm" in rendered

    def test_coordinates_are_never_localised(self):
        # Vietnamese writes 12,5: an SVG coordinate must stay 12.5.
        chart = self.chart([charts.Bar("2025", 1, "1"), charts.Bar("2026", 3, "3")])
        assert any(row.width != int(row.width) for row in chart.rows)  # a fraction to write
        with translation.override("vi"):
            rendered = render_to_string("charts/_figure.html", {"chart": chart})
        assert re.search(r'width="\d+\.\d"', rendered)
        assert not re.search(r'(?:x|y|width)="\d+,\d', rendered)


# -- The demo data: the two seed articles ----------------------------------------------------

# What the articles report (Báo Gia Lai, 7-2023 and 27-12-2025), as the dashboard must show it.
ARTICLE_GOODS = {
    "nha-o": "8\xa0căn",  # "xây dựng 8 căn nhà … tổng trị giá hơn 500 triệu đồng"
    "kham-chua-benh": "915\xa0lượt người",
    "quan-ao": "1.700\xa0bộ",
    "sua-chua-duong": "43\xa0km",
    "duong-be-tong": "hơn\xa07\xa0km",
    "cong-trinh-nuoc": "9\xa0công trình",
    "ngay-cong": "gần\xa015.000\xa0ngày công",
    "giay-khen": "20\xa0giấy khen",
    # 40 gifts at the review; gifts "worth over 100 million" and "many gifts" uncounted are
    # said beside it, not folded into a "hơn".
    "qua-tang": "40\xa0suất",
}
# 30 + 50 + 10 million (2025), over 500 million (houses) + over 100 million (gifts) over 20
# years; check-ups, clothes, roads… carry no value: the total is a lower bound.
DELIVERED = 690_000_000
IA_DOK = "/thong-ke/xa-ia-dok/"
AN_NHON_BAC = "/thong-ke/phuong-an-nhon-bac/"


def dashboard_sheets(locality=False):
    names = ["Summary", "By kind", "By year", "By commitment area", "Top givers"]
    names += ["Top recipients", "Who twins with whom", "Anniversaries", "Programmes ending"]
    names += ["Latest activities"]
    names[6:6] = ["Funders"]
    if locality:
        names[1:1] = ["Given", "Received"]
    return [gettext(name) for name in names]


@pytest.mark.usefixtures("demo")
class TestDemoDashboard:
    def test_tiles_are_the_articles_figures(self, client):
        response = get(client, PROVINCE)
        dashboard = response.context["dashboard"]
        assert dashboard.agreements_in_force == 3
        # Xã Ia Dơk, Phường An Nhơn Bắc, Làng Ghè, Sư đoàn 320, TP. Pleiku.
        assert dashboard.localities_with_partner == 5
        assert (dashboard.minority_villages.with_partner, dashboard.minority_villages.total) == (
            1,
            1,
        )
        assert dashboard.money.value_vnd == DELIVERED
        assert dashboard.money.qualifier == Qualifier.OVER
        goods = {total.slug: total.quantity_display for total in dashboard.goods}
        assert goods == ARTICLE_GOODS
        notes = {
            total.slug: total.quantity_note for total in dashboard.goods if total.quantity_note
        }
        assert notes == {"qua-tang": "2 lần trao không ghi số lượng"}
        content = html(response)
        assert f"hơn{NBSP}690{NBSP}triệu đồng" in content
        # Tiles break between a figure and its unit, never inside the figure.
        tiles = {tile.name: f"{tile.figure} {tile.unit}" for tile in response.context["goods"]}
        assert tiles["Ngày công lao động"] == f"gần{NBSP}15.000 ngày công"
        for tile in tiles.values():
            assert f'<span class="value">{tile}</span>' in content
        assert not dashboard.has_drafts
        assert gettext("Includes drafts.") not in content

    def test_years_keep_the_twenty_year_totals_in_one_bar(self, client):
        dashboard = get(client, PROVINCE).context["dashboard"]
        bars = [
            (bar.label, bar.is_period, bar.activities, bar.money.value_vnd)
            for bar in dashboard.by_year
        ]
        assert bars == [
            ("2003–2023", True, 8, 600_000_000),  # the 20-year totals, never split
            ("2023", False, 2, None),  # 40 gifts and 20 certificates at the review: no value
            ("2025", False, 3, 90_000_000),  # the two signings of 27-12-2025
        ]
        content = html(get(client, PROVINCE))
        assert 'fill="url(#chart-money-by-year-period)"' in content
        assert gettext("reported for the whole period, not split into years") in content

    def test_areas_givers_recipients_and_pairs(self, client):
        dashboard = get(client, PROVINCE).context["dashboard"]
        areas = {bar.area.slug: bar.agreements for bar in dashboard.by_area}
        assert areas["xay-dung-dang"] == 3  # every agreement commits to it
        assert areas["lanh-dao-quan-ly"] == 1
        assert areas["an-sinh-xa-hoi"] == 2
        givers = [(t.locality.name, t.activities, t.money.value_vnd) for t in dashboard.top_givers]
        # "2 bên đã phối hợp": the division and the city gave the 20 years' figures and the 40
        # gifts together, each in full in its own row (the rows overlap).
        assert givers == [
            ("Thành phố Pleiku", 10, 600_000_000),
            ("Sư đoàn 320", 10, 600_000_000),
            ("Phường An Nhơn Bắc", 3, 90_000_000),
        ]
        recipients = [
            (t.locality.name, t.activities, t.money.value_vnd) for t in dashboard.top_recipients
        ]
        assert recipients == [("Làng Ghè", 2, 60_000_000), ("Xã Ia Dơk", 1, 30_000_000)]
        assert dashboard.pairs_count == 3
        pairs = {
            tuple(p.name for p in pair.parties): [p.name for p in pair.coordinators]
            for pair in dashboard.pairs
        }
        assert pairs[("Phường An Nhơn Bắc", "Làng Ghè")] == ["Xã Ia Dơk"]
        assert pairs[("Sư đoàn 320", "Thành phố Pleiku")] == []
        content = html(get(client, PROVINCE))
        assert "Làng Ghè</a> – Xã Ia Dơk" in content  # a village with its commune

    def test_the_workbook_holds_the_same_figures_as_numbers(self, client):
        response = get(client, "/thong-ke/bao-cao.xlsx")
        today = timezone.localdate().isoformat()
        assert response["Content-Disposition"] == (
            f'attachment; filename="ket-nghia-thong-ke-gia-lai-{today}.xlsx"'
        )
        book = workbook(response)
        assert book.sheetnames == dashboard_sheets()
        figures = summary_figures(book)
        assert figures[gettext("Agreements in force")] == (3, None)  # no qualifier: exact
        assert figures[gettext("Localities and units with a partner")] == (5, None)
        assert figures[gettext("Ethnic-minority villages with a partner")] == (1, None)
        assert figures[gettext("Value of the support (VND)")] == (
            DELIVERED,
            str(Qualifier.OVER.label),
        )
        summary = book[gettext("Summary")]
        money = next(
            row[1]
            for row in summary.iter_rows()
            if row[0].value == gettext("Value of the support (VND)")
        )
        assert isinstance(money.value, int) and money.number_format == "#,##0"

        kinds = book[gettext("By kind")]
        headers = [cell.value for cell in kinds[1]]
        assert headers == [
            gettext(h)
            for h in (
                "Kind of support",
                "Unit",
                "Quantity",
                "Quantity is",
                "Records without a quantity",
                "Value (VND)",
                "Value is",
                "Activities not valued",
                "Activities",
            )
        ]
        houses = cell_of(kinds, gettext("Quantity"), "Xây dựng, sửa chữa nhà")
        assert houses.value == 8 and isinstance(houses.value, int)
        value = cell_of(kinds, gettext("Value (VND)"), "Xây dựng, sửa chữa nhà")
        assert value.value == 500_000_000 and value.number_format == "#,##0"
        labour = cell_of(kinds, gettext("Quantity is"), "Ngày công lao động")
        assert labour.value == str(Qualifier.NEARLY.label)

        years = book[gettext("By year")]
        assert cell_of(years, gettext("Activities"), "2003–2023").value == 8
        assert cell_of(years, gettext("Value (VND)"), "2003–2023").value == 600_000_000
        assert cell_of(years, gettext("Whole period, not split"), "2003–2023").value == gettext(
            "yes"
        )
        pairs = rows(book[gettext("Who twins with whom")])
        assert len(pairs) == 1 + 3
        assert pairs[0][0] == gettext("Agreement")
        signed = {row[1]: row[3] for row in pairs[1:]}
        assert signed["Sư đoàn 320; Thành phố Pleiku"].date() == datetime.date(2003, 7, 26)

    def test_a_commune_s_dashboard_counts_its_village_as_recipient(self, client):
        response = get(client, IA_DOK)
        dashboard = response.context["dashboard"]
        assert dashboard.filters.locality.slug == "xa-ia-dok"
        # Its agreement with An Nhơn Bắc, and Làng Ghè's (which it coordinates).
        assert dashboard.agreements_in_force == 2
        assert dashboard.received.money.value_vnd == 90_000_000  # 30 + 50 + 10 million
        assert dashboard.given.money.value_vnd == 0
        assert (dashboard.minority_villages.with_partner, dashboard.minority_villages.total) == (
            1,
            1,
        )
        content = html(response)
        assert "<h1>" in content and "Xã Ia Dơk" in content
        assert words(90_000_000) in content
        assert 'href="/dia-phuong/xa-ia-dok/"' in content

    def test_a_ward_s_dashboard_counts_what_it_gave(self, client):
        dashboard = get(client, AN_NHON_BAC).context["dashboard"]
        assert dashboard.given.money.value_vnd == 90_000_000
        assert {t.slug for t in dashboard.given.by_type} == {"tien-mat", "qua-tang"}
        assert dashboard.received.by_type == []

    def test_a_locality_s_workbook(self, client):
        response = get(client, IA_DOK + "bao-cao.xlsx", {"status": "delivered"})
        today = timezone.localdate().isoformat()
        assert (
            f'filename="ket-nghia-thong-ke-xa-ia-dok-{today}.xlsx"'
            in (response["Content-Disposition"])
        )
        book = workbook(response)
        assert book.sheetnames == dashboard_sheets(locality=True)
        figures = summary_figures(book)
        assert figures[gettext("Received by it and the units below it (VND)")] == (
            90_000_000,
            None,
        )
        received = book[gettext("Received")]
        assert cell_of(received, gettext("Value (VND)"), "Hỗ trợ tiền").value == 80_000_000
        head = rows(book[gettext("Summary")])
        assert [gettext("Locality or unit"), "Xã Ia Dơk"] in [row[:2] for row in head]

    def test_coverage_of_the_demo(self, client):
        response = get(client, COVERAGE)
        [row] = response.context["rows"]
        assert (row.commune.name, row.without_partner, row.total, row.villages) == (
            "Xã Ia Dơk",
            0,
            1,
            [],
        )
        assert gettext("Every village has a partner.") in html(response)

    def test_links_to_the_dashboards(self, client):
        home = html(get(client, "/"))
        assert f'<a href="{PROVINCE}">{gettext("Figures")}</a>' in home
        locality = html(get(client, "/dia-phuong/xa-ia-dok/"))
        assert f'href="{IA_DOK}"' in locality
        dashboard = html(get(client, PROVINCE))
        assert f'href="{COVERAGE}"' in dashboard
        assert 'href="/thong-ke/bao-cao.xlsx"' in dashboard
        assert 'href="/thong-ke/?print=1"' in dashboard

    def test_in_english(self, client):
        response = get(client, "/en/thong-ke/")
        content = html(response)
        assert '<html lang="en">' in content
        assert "Twinning in Gia Lai in figures" in content
        assert "over\xa0690\xa0million dong" in content


# -- Filters: every figure obeys them, from the address ---------------------------------------


@pytest.fixture
def places():
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE, slug="tinh-thu")
    commune = factories.locality("Xã Ia Thử", parent=province, slug="xa-ia-thu")
    village = factories.locality(
        "Làng Thử",
        kind=LocalityKind.VILLAGE,
        parent=commune,
        slug="lang-thu",
        is_ethnic_minority_area=True,
    )
    ward = factories.locality("Phường Thử", kind=LocalityKind.WARD, parent=province, slug="p-thu")
    division = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT, slug="sd-thu")
    return {"commune": commune, "village": village, "ward": ward, "division": division}


def money(response):
    return response.context["dashboard"].money.value_vnd


def test_period_filter_counts_what_lies_wholly_inside_and_tells_what_it_left_out(client, places):
    agreement = factories.agreement(places["ward"], places["village"], published=True)
    factories.activity(agreement, starts_on=datetime.date(2020, 5, 1), value_vnd=10_000_000)
    factories.activity(agreement, starts_on=datetime.date(2024, 5, 1), value_vnd=20_000_000)
    factories.activity(
        agreement,
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2022, 12, 31),
        value_vnd=5_000_000,
    )
    assert money(get(client, PROVINCE)) == 35_000_000

    response = get(client, PROVINCE, {"year_from": "2021", "year_to": "2024"})
    assert money(response) == 20_000_000
    left_out = response.context["dashboard"].left_out
    assert (left_out.activities, left_out.money.value_vnd) == (1, 5_000_000)
    content = html(response)
    assert (
        ngettext(
            "%(counter)s figure reported over a period that goes beyond the chosen years is "
            "not counted",
            "%(counter)s figures reported over a period that goes beyond the chosen years are "
            "not counted",
            1,
        )
        % {"counter": 1}
        in content
    )
    assert "2021–2024" in content  # the filters applied, in the header

    response = get(client, PROVINCE, {"year_from": "2019", "year_to": "2022"})
    assert money(response) == 15_000_000
    assert response.context["dashboard"].left_out.activities == 0
    # The filters stay in the address of the workbook and of the print version.
    content = html(response)
    assert 'href="/thong-ke/bao-cao.xlsx?year_from=2019&amp;year_to=2022"' in content
    assert 'href="/thong-ke/?year_from=2019&amp;year_to=2022&amp;print=1"' in content
    book = workbook(get(client, "/thong-ke/bao-cao.xlsx", {"year_from": 2019, "year_to": 2022}))
    assert summary_figures(book)[gettext("Value of the support (VND)")][0] == 15_000_000


def test_locality_filter_includes_the_units_below(client, places):
    mine = factories.agreement(places["ward"], places["village"], published=True)
    factories.activity(mine, value_vnd=7_000_000)
    other = factories.agreement(places["ward"], places["division"], published=True)
    factories.activity(other, value_vnd=40_000_000)

    response = get(client, PROVINCE, {"locality": "xa-ia-thu"})
    dashboard = response.context["dashboard"]
    assert dashboard.filters.locality == places["commune"]
    assert money(response) == 7_000_000
    assert [pair.agreement for pair in dashboard.pairs] == [mine]
    content = html(response)
    assert '<input type="hidden" name="locality" value="xa-ia-thu">' in content
    assert 'name="locality" value="Xã Ia Thử"' in content
    assert 'href="/thong-ke/xa-ia-thu/"' in content  # its own dashboard: given and received
    # The same on the commune's own dashboard.
    assert money(get(client, "/thong-ke/xa-ia-thu/")) == 7_000_000


def test_party_kind_area_and_status_filters(client, places):
    area = CommitmentArea.objects.get(slug="quoc-phong-an-ninh")
    with_division = factories.agreement(places["division"], places["ward"], published=True)
    factories.commitment(with_division, area)
    factories.activity(with_division, value_vnd=11_000_000)
    factories.activity(with_division, value_vnd=500_000_000, status=ActivityStatus.PLEDGED)
    village = factories.agreement(places["ward"], places["village"], published=True)
    factories.activity(village, value_vnd=3_000_000)

    assert money(get(client, PROVINCE)) == 14_000_000
    assert money(get(client, PROVINCE, {"party_kind": "military_unit"})) == 11_000_000
    assert money(get(client, PROVINCE, {"party_kind": "village"})) == 3_000_000
    response = get(client, PROVINCE, {"area": "quoc-phong-an-ninh"})
    assert money(response) == 11_000_000
    by_area = response.context["dashboard"].by_area
    assert [bar.area for bar in by_area if bar.agreements] == [area]
    # Pledged and delivered are never added: the filter switches between them.
    response = get(client, PROVINCE, {"status": "pledged"})
    assert money(response) == 500_000_000
    content = html(response)
    assert words(500_000_000) in content and words(514_000_000) not in content
    assert 'value="pledged" checked' in content


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"year_from": "hai nghìn"}, "year_from", YEAR_MESSAGES["invalid"]),
        ({"year_from": "2025.5"}, "year_from", YEAR_MESSAGES["invalid"]),
        ({"year_to": "99999999999999999999"}, "year_to", YEAR_MESSAGES["max_value"]),
        ({"year_from": "1200"}, "year_from", YEAR_MESSAGES["min_value"]),
        (
            {"year_from": "2025", "year_to": "2020"},
            "year_to",
            gettext_lazy("The last year cannot be before the first year (%(first)s)."),
        ),
        (
            {"locality": "khong-co-noi-nay"},
            "locality",
            gettext_lazy("No locality or unit matches “%(text)s”."),
        ),
        (
            {"party_kind": "hanh-tinh"},
            "party_kind",
            gettext_lazy("Choose a kind of party from the list."),
        ),
        (
            {"area": "khong-co"},
            "area",
            gettext_lazy("There is no commitment area with this name. Choose one from the list."),
        ),
        ({"status": "both"}, "status", gettext_lazy("Choose pledged or delivered.")),
    ],
)
def test_a_bad_filter_is_told_at_its_field_and_the_page_still_answers(
    client, places, params, field, message
):
    agreement = factories.agreement(places["ward"], places["village"], published=True)
    factories.activity(agreement, value_vnd=9_000_000, starts_on=datetime.date(2025, 3, 1))
    expected = str(message) % {"first": params.get("year_from"), "text": params.get("locality")}
    for url in (PROVINCE, "/thong-ke/xa-ia-thu/", COVERAGE):
        if url == "/thong-ke/xa-ia-thu/" and field == "locality":
            continue  # a locality's dashboard has its locality in its address
        if url == COVERAGE and field in ("year_from", "status"):
            continue  # the coverage does not ask for them
        response = get(client, url, params)
        content = html(response).replace("&quot;", '"')
        errors = response.context["form"].errors
        assert field in errors, (url, errors)
        assert f'id="id_{field}-error">{expected}' in content.replace("&#x27;", "'"), url
        if url != COVERAGE:
            # The figures of the valid filters are still shown: the bad one is left out.
            assert money(response) == 9_000_000
    # The workbook too answers, with the bad filter left out.
    workbook(get(client, "/thong-ke/bao-cao.xlsx", params))


def test_unknown_locality_dashboard_is_a_404(client):
    page = client.get("/thong-ke/khong-co-noi-nay/")
    assert page.status_code == 404
    assert gettext("Page not found") in html(page)
    assert client.get("/thong-ke/khong-co-noi-nay/bao-cao.xlsx").status_code == 404


def test_a_locality_dashboard_separates_given_from_received(client, places):
    agreement = factories.agreement(places["ward"], places["village"], published=True)
    factories.activity(
        agreement, giver=places["ward"], recipient=places["village"], value_vnd=50_000_000
    )
    factories.activity(
        agreement, giver=places["village"], recipient=places["ward"], value_vnd=2_000_000
    )
    ward = get(client, "/thong-ke/p-thu/").context["dashboard"]
    assert (ward.given.money.value_vnd, ward.received.money.value_vnd) == (50_000_000, 2_000_000)
    commune = get(client, "/thong-ke/xa-ia-thu/").context["dashboard"]  # through its village
    assert (commune.given.money.value_vnd, commune.received.money.value_vnd) == (
        2_000_000,
        50_000_000,
    )


# -- Coverage ----------------------------------------------------------------------------------


def test_coverage_lists_the_villages_without_a_partner_by_commune(client, places):
    commune = places["commune"]
    lonely = [
        factories.locality(
            name, kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True
        )
        for name in ("Plei Ơi", "Buôn Ba")
    ]
    factories.locality(
        "Thôn Kinh", kind=LocalityKind.VILLAGE, parent=commune
    )  # not a minority area
    factories.locality(
        "Làng Cũ",
        kind=LocalityKind.VILLAGE,
        parent=commune,
        is_ethnic_minority_area=True,
        dissolved_on=datetime.date(2025, 6, 30),
    )
    factories.agreement(places["ward"], places["village"], published=True)

    response = get(client, COVERAGE)
    [row] = response.context["rows"]
    assert row.commune == commune
    assert (row.without_partner, row.total) == (2, 3)
    assert sorted(v.name for v in row.villages) == sorted(v.name for v in lonely)
    content = html(response)
    for village in lonely:
        assert f'href="/dia-phuong/{village.slug}/"' in content
    assert "Thôn Kinh" not in content and "Làng Cũ" not in content
    assert 'href="/thong-ke/vung-dong-bao/bao-cao.xlsx"' in content

    response = get(client, COVERAGE + "bao-cao.xlsx")
    today = timezone.localdate().isoformat()
    assert (
        f'filename="ket-nghia-vung-dong-bao-gia-lai-{today}.xlsx"'
        in (response["Content-Disposition"])
    )
    book = workbook(response)
    assert book.sheetnames == [
        gettext("Summary"),
        gettext("By commune"),
        gettext("Villages without a partner"),
    ]
    assert rows(book[gettext("By commune")]) == [
        [
            gettext("Commune or ward"),
            gettext("Without a partner"),
            gettext("Ethnic-minority villages"),
        ],
        ["Xã Ia Thử", 2, 3],
    ]
    assert sorted(rows(book[gettext("Villages without a partner")])[1:]) == sorted(
        [["Xã Ia Thử", v.name] for v in lonely]
    )
    # The province's dashboard counts the same villages.
    minority = get(client, PROVINCE).context["dashboard"].minority_villages
    assert (minority.with_partner, minority.total) == (1, 3)


def test_coverage_follows_the_locality_filter(client, places):
    other = factories.locality("Xã Khác")
    factories.locality(
        "Làng Xa", kind=LocalityKind.VILLAGE, parent=other, is_ethnic_minority_area=True
    )
    assert {r.commune.name for r in get(client, COVERAGE).context["rows"]} == {
        "Xã Ia Thử",
        "Xã Khác",
    }
    response = get(client, COVERAGE, {"locality": "xa-ia-thu"})
    assert [r.commune.name for r in response.context["rows"]] == ["Xã Ia Thử"]


# -- Drafts: for province staff only, marked, never cached --------------------------------------


@pytest.fixture
def with_draft(places):
    published = factories.agreement(places["ward"], places["village"], published=True)
    factories.activity(published, value_vnd=30_000_000)
    draft = factories.agreement(places["division"], places["commune"], title="Bản nháp chưa duyệt")
    factories.activity(draft, value_vnd=900_000_000_000)
    factories.activity(draft, "nha-o", quantity=5000)
    return draft


def test_the_public_never_sees_a_draft_s_figures(client, with_draft):
    for url in (PROVINCE, "/thong-ke/xa-ia-thu/", "/thong-ke/sd-thu/", COVERAGE):
        response = get(client, url)
        content = html(response)
        assert "Bản nháp chưa duyệt" not in content
        assert words(900_000_000_000) not in content and "900.0" not in content
        assert "5.000" not in content
        assert gettext("Includes drafts.") not in content
        assert response["Cache-Control"] == "public, max-age=300", url
        assert "Cookie" not in response.get("Vary", "")
    assert money(get(client, PROVINCE)) == 30_000_000
    book = workbook(get(client, "/thong-ke/bao-cao.xlsx"))
    assert summary_figures(book)[gettext("Value of the support (VND)")][0] == 30_000_000
    texts = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row]
    assert not any("Bản nháp" in text for text in texts)


def test_province_staff_see_drafts_marked_and_never_cached(admin_client, with_draft):
    response = get(admin_client, PROVINCE)
    dashboard = response.context["dashboard"]
    assert dashboard.filters.include_drafts
    assert money(response) == 900_030_000_000
    content = html(response)
    assert gettext("Includes drafts.") in content
    assert "Bản nháp chưa duyệt" in content
    assert f'<span class="tag draft">{gettext("Draft")}</span>' in content
    # A draft has no public page: its link goes to the admin.
    assert f'href="/admin/agreements/agreement/{with_draft.pk}/change/"' in content
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "public" not in cache_control

    response = get(admin_client, "/thong-ke/bao-cao.xlsx")
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    book = workbook(response)
    assert summary_figures(book)[gettext("Value of the support (VND)")][0] == 900_030_000_000
    assert [
        gettext("Includes drafts"),
        gettext("Yes: agreements not yet published are counted."),
    ] in ([row[:2] for row in rows(book[gettext("Summary")])])
    statuses = [row[5] for row in rows(book[gettext("Who twins with whom")])[1:]]
    assert str(with_draft.get_status_display()) in statuses


def test_staff_of_one_commune_do_not_see_the_province_s_drafts(client, with_draft, places):
    user = get_user_model().objects.create_user("canbo", password="x", is_staff=True)
    StaffLocality.objects.create(user=user, locality=places["ward"])
    client.force_login(user)
    for url in (PROVINCE, "/thong-ke/sd-thu/", COVERAGE):
        response = get(client, url)
        content = html(response)
        assert "Bản nháp chưa duyệt" not in content and "5.000" not in content
        assert "public" not in response["Cache-Control"]  # signed in: private all the same
    assert money(get(client, PROVINCE)) == 30_000_000
    book = workbook(get(client, "/thong-ke/bao-cao.xlsx"))
    assert summary_figures(book)[gettext("Value of the support (VND)")][0] == 30_000_000


def test_staff_of_a_commune_see_the_drafts_in_their_charge(client, with_draft, places):
    """The draft is between the division and the commune: the commune's staff see it, marked,
    with the published figures of everyone; another commune's draft stays out."""
    other = factories.agreement(places["ward"], factories.locality(), title="Nháp của phường")
    factories.activity(other, value_vnd=7_000_000)
    user = get_user_model().objects.create_user("canbo", password="x", is_staff=True)
    StaffLocality.objects.create(user=user, locality=places["commune"])
    client.force_login(user)
    response = get(client, PROVINCE)
    assert money(response) == 900_030_000_000
    content = html(response)
    assert "Bản nháp chưa duyệt" in content and "Nháp của phường" not in content
    assert f'<span class="tag draft">{gettext("Draft")}</span>' in content
    in_charge = gettext(
        "You are signed in as staff: these figures include the agreements in your charge "
        "that are not published yet, marked “Draft”. The public pages show published "
        "agreements only."
    )
    assert in_charge in content
    assert "no-store" in response["Cache-Control"]
    # The commune's: its draft and its village's published figures; the ward's: no draft.
    assert money(get(client, "/thong-ke/xa-ia-thu/")) == 900_030_000_000
    assert money(get(client, "/thong-ke/p-thu/")) == 30_000_000
    book = workbook(get(client, "/thong-ke/bao-cao.xlsx"))
    assert summary_figures(book)[gettext("Value of the support (VND)")][0] == 900_030_000_000


def test_an_inactive_or_non_staff_account_sees_published_data(client, with_draft):
    user = get_user_model().objects.create_user("dan", password="x")
    client.force_login(user)
    assert money(get(client, PROVINCE)) == 30_000_000


# -- Bounded queries --------------------------------------------------------------------------


def add_data(places, n, offset=0):
    """n agreements of every shape the dashboards show, each with its own units."""
    area = CommitmentArea.objects.order_by("position").first()
    today = timezone.localdate()
    for i in range(offset, offset + n):
        commune = factories.locality(parent=places["commune"].parent)
        village = factories.locality(
            kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True
        )
        factories.locality(kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True)
        agreement = factories.agreement(
            places["ward"], village, published=True, signed_on=today.replace(year=today.year - 5)
        )
        agreement.parties.create(locality=commune, role=PartyRole.COORDINATOR, position=5)
        factories.commitment(agreement, area)
        factories.activity(
            agreement, giver=places["ward"], recipient=village, value_vnd=1_000_000 * (i + 1)
        )
        factories.activity(
            agreement,
            "nha-o",
            quantity=Decimal(2),
            starts_on=datetime.date(2010, 1, 1),
            ends_on=datetime.date(2020, 1, 1),
        )
        factories.activity(agreement, value_vnd=5_000_000, status=ActivityStatus.PLEDGED)
        Programme.objects.create(
            agreement=agreement,
            name=f"Chương trình {i}",
            starts_on=datetime.date(2024, 1, 1),
            ends_on=today + datetime.timedelta(days=30),
        )
        draft = factories.agreement(places["division"], commune)
        factories.activity(draft, value_vnd=1_000)


QUERY_PAGES = [
    PROVINCE,
    PROVINCE + "?year_from=2015&year_to=2026&locality=xa-ia-thu&area=xay-dung-dang",
    "/thong-ke/p-thu/",
    "/thong-ke/p-thu/?status=pledged&party_kind=village",
    COVERAGE,
    "/thong-ke/bao-cao.xlsx",
    "/thong-ke/p-thu/bao-cao.xlsx",
    "/thong-ke/vung-dong-bao/bao-cao.xlsx",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_every_dashboard_runs_the_same_queries_at_1x_and_20x_data(
    client, admin_user, places, staff
):
    if staff:
        client.force_login(admin_user)
    add_data(places, 1)
    once = {url: count_queries(client, url) for url in QUERY_PAGES}
    add_data(places, 19, offset=1)
    twenty = {url: count_queries(client, url) for url in QUERY_PAGES}
    assert twenty == once
    # The figures really grew (the test is not measuring empty pages); staff count the drafts.
    assert get(client, PROVINCE).context["dashboard"].pairs_count == (40 if staff else 20)


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_a_dashboard_read_again_is_read_from_its_snapshot_until_a_write(
    client, admin_user, places, staff, django_assert_max_num_queries
):
    """Read again, a dashboard costs the query of its snapshot (and the reader's session),
    and those of what is not figures: the years approved and locked (one), the year's plans
    and meetings (two), and on a unit's page its outcome indicators (one). The same page,
    its figures kept under the snapshot's version; an activity added shows at once, for the
    public (with a session cookie: the page cache does not serve them) and for staff alike."""
    if staff:
        client.force_login(admin_user)
    else:
        client.cookies["sessionid"] = "naming-no-session"
    add_data(places, 1)
    for url, beside_figures in ((PROVINCE, 3), ("/thong-ke/p-thu/", 4)):
        first = html(get(client, url))
        with django_assert_max_num_queries((7 if staff else 3) + beside_figures):
            assert html(get(client, url)) == first
    before = money(get(client, "/thong-ke/p-thu/"))
    agreement = places["ward"].parties.filter(agreement__status="published").first().agreement
    factories.activity(agreement, value_vnd=2_000_000, starts_on=datetime.date(2025, 6, 1))
    response = get(client, "/thong-ke/p-thu/")
    assert money(response) == before + 2_000_000
    # The page's figures, not only its context: the kept figures were left behind.
    assert response.context["dashboard"].money.words in html(response)
    assert response.context["dashboard"].money.words != format_vnd_words(before)


# -- Sitemap, formula injection -----------------------------------------------------------------


def test_sitemap_lists_the_dashboards(client, places):
    factories.agreement(places["ward"], places["village"], published=True)
    files = ("/sitemap-pages.xml", "/sitemap-locality-dashboards.xml")
    content = "".join(html(get(client, path)) for path in files)
    for path in (PROVINCE, COVERAGE, "/thong-ke/lang-thu/", "/thong-ke/xa-ia-thu/"):
        assert f"<loc>http://testserver{path}</loc>" in content
        assert f"<loc>http://testserver/en{path}</loc>" in content
    assert "/thong-ke/sd-thu/" not in content  # no agreement, no dashboard in the sitemap


def test_text_cells_are_not_formulas(client, places):
    sneaky = factories.locality('=HYPERLINK("http://x.example","bấm")', slug="sneaky")
    agreement = factories.agreement(sneaky, places["village"], published=True, title="+SUM(1)")
    factories.activity(agreement, giver=sneaky, recipient=places["village"], value_vnd=1_000)
    book = workbook(get(client, "/thong-ke/bao-cao.xlsx"))
    texts = [v for ws in book for row in ws.iter_rows(values_only=True) for v in row]
    assert '\'=HYPERLINK("http://x.example","bấm")' in texts
    assert "'+SUM(1)" in texts
    assert not any(isinstance(v, str) and v.startswith(("=", "+")) for v in texts)


def test_print_version_keeps_the_filters_and_drops_the_form(client, places):
    content = html(get(client, PROVINCE, {"year_from": "2020", "print": "1"}))
    assert 'class="dashboard print-view"' in content
    assert "http://testserver/thong-ke/?year_from=2020" in content  # said on paper
    assert 'href="/thong-ke/bao-cao.xlsx?year_from=2020"' in content


def test_goods_tiles_show_quantities_with_units(client, places):
    agreement = factories.agreement(places["ward"], places["village"], published=True)
    factories.activity(agreement, "nha-o", quantity=Decimal(3))
    factories.activity(agreement, "nha-o", quantity=Decimal(2), quantity_qualifier=Qualifier.OVER)
    content = html(get(client, PROVINCE))
    assert format_quantity(Decimal(5), "căn", Qualifier.OVER) in content
    assert Locality.objects.filter(slug="lang-thu").exists()


def test_the_coverage_of_a_province_without_villages_is_an_empty_page(client):
    response = client.get("/thong-ke/vung-dong-bao/", {"page": 3})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["totals"].communes == 0


def test_the_coverage_lists_fifty_communes_a_page_with_totals_of_them_all(client):
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    for n in range(51):
        commune = factories.locality(f"Xã {n:02d}", parent=province)
        factories.locality(
            f"Làng {n:02d}", kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True
        )
    first = client.get("/thong-ke/vung-dong-bao/").context
    last = client.get("/thong-ke/vung-dong-bao/", {"page": 2}).context
    assert [len(first["rows"]), len(last["rows"])] == [50, 1]
    assert last["rows"][0].commune.name == "Xã 50"
    assert (first["totals"].communes, first["totals"].without_partner) == (51, 51)
    assert last["totals"] == first["totals"]


def test_the_coverages_links_to_other_pages_leave_its_page_number_behind(client, places):
    response = get(client, COVERAGE + "?page=1&status=pledged")
    context = response.context
    assert context["dashboard_url"] == PROVINCE + "?status=pledged"
    assert "page=" not in context["xlsx_url"]
    assert "page=1" in context["print_url"]  # the print view of this very page

"""Issue 14: maps drawn by the server (ketnghia.maps over activities.reports.maps): one mark per
locality of the filtered scope, lines only between real partners, drafts absent for the public,
the table beside the map listing the same data, the archipelagos drawn as Viet Nam's."""

import datetime
import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import translation

from activities.reports import maps as map_data
from ketnghia import maps
from localities.models import LocalityKind
from tests import factories


def place(name, latitude, longitude, kind=LocalityKind.COMMUNE, **fields):
    return factories.locality(
        name,
        kind=kind,
        latitude=Decimal(str(latitude)),
        longitude=Decimal(str(longitude)),
        **fields,
    )


def marks_of(html, map_id):
    """(name, cx, cy) of each mark of the map `map_id` in a page."""
    svg = re.search(rf'<svg class="map"[^>]*aria-labelledby="{map_id}-title".*?</svg>', html, re.S)
    assert svg, map_id
    return [
        (unescape(label), float(cx), float(cy))
        for label, cx, cy in re.findall(
            r'<a href="[^"]+" aria-label="([^"]+)"><circle [^>]*cx="([\d.]+)" cy="([\d.]+)"',
            svg.group(0),
        )
    ]


def lines_of(html, map_id):
    svg = re.search(rf'<svg class="map"[^>]*aria-labelledby="{map_id}-title".*?</svg>', html, re.S)
    return re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)"', svg.group(0))


def table_names(html, map_id):
    """The first column of the map's table."""
    figure = re.search(
        rf'<figure class="map-figure" aria-labelledby="{map_id}-title">.*?</figure>', html, re.S
    )
    rows = re.findall(r'<tr><th scope="row"><a href="[^"]+"[^>]*>([^<]+)</a>', figure.group(0))
    return [unescape(name) for name in rows]


@pytest.fixture
def world(db):
    """Three communes and a village in one province, a military unit placed at its commune,
    two published agreements and a draft."""
    province = place("Tỉnh Thử", 14.0, 108.0, kind=LocalityKind.PROVINCE)
    a = place("Xã Ia A", 13.9, 108.1, parent=province)
    b = place("Phường B", 13.8, 109.1, kind=LocalityKind.WARD, parent=province)
    c = place("Xã C", 14.3, 107.9, parent=province)
    village = factories.locality("Làng D", kind=LocalityKind.VILLAGE, parent=a)
    unit = factories.locality("Tiểu đoàn E", kind=LocalityKind.MILITARY_UNIT)
    first = factories.agreement(a, b, title="Xã Ia A – Phường B", published=True)
    second = factories.agreement(village, b, unit, title="Làng D – Phường B", published=True)
    draft = factories.agreement(c, a, title="Xã C – Xã Ia A (nháp)")
    return {
        "a": a, "b": b, "c": c, "village": village, "unit": unit,
        "first": first, "second": second, "draft": draft,
    }  # fmt: skip


def test_the_dashboard_marks_each_party_of_the_public_agreements_once(client, world):
    html = client.get("/thong-ke/").content.decode()
    marks = marks_of(html, "map-partners")
    assert sorted(name for name, _x, _y in marks) == ["Làng D", "Phường B", "Xã Ia A"]
    # The draft's commune is not there; the unit without a point is said, not drawn.
    assert "Xã C" not in html.split('id="map-partners-title"')[1].split("</figure>")[0]
    assert "Không có trên bản đồ (chưa có vị trí): Tiểu đoàn E." in unescape(html)
    # Lines only between partners: A–B and D–B (the village is placed at its commune).
    assert len(lines_of(html, "map-partners")) == 2
    # The table lists the same places, the most agreements first.
    assert table_names(html, "map-partners") == ["Phường B", "Làng D", "Xã Ia A"]
    # Each mark is a link to its locality's page, named for screen readers.
    assert f'<a href="/dia-phuong/{world["b"].slug}/" aria-label="Phường B">' in html
    # The figures beside the names in the table: the ward is a party to both agreements.
    assert re.search(r"Phường B</a></th><td[^>]*>Phường</td><td[^>]*>2 giao ước</td>", html)


def test_a_mark_is_where_its_point_is(world):
    data = map_data.agreement_map(world["first"])
    drawn = maps.partner_map("m", "t", data)
    (ax, ay), (bx, by) = (
        drawn.xy(float(world[key].longitude), float(world[key].latitude)) for key in ("a", "b")
    )
    assert bx > ax and by > ay  # B is east and south of A
    assert 0 <= ax <= drawn.width and 0 <= by <= drawn.height


def test_the_filters_of_the_dashboard_apply(client, world):
    # Agreements with a village among their parties: the second only.
    html = client.get("/thong-ke/", {"party_kind": "village"}).content.decode()
    names = sorted(name for name, _x, _y in marks_of(html, "map-partners"))
    assert names == ["Làng D", "Phường B"]


def test_staff_see_the_drafts_party_the_public_does_not(admin_client, world):
    html = admin_client.get("/thong-ke/").content.decode()  # province staff: every draft
    assert "Xã C" in [name for name, _x, _y in marks_of(html, "map-partners")]


def test_the_agreement_page_maps_its_parties(client, world):
    html = client.get(f"/giao-uoc/{world['first'].slug}/").content.decode()
    assert sorted(name for name, _x, _y in marks_of(html, "map-parties")) == ["Phường B", "Xã Ia A"]
    assert len(lines_of(html, "map-parties")) == 1


def test_the_locality_page_maps_its_partners(client, world):
    html = client.get(f"/dia-phuong/{world['a'].slug}/").content.decode()
    names = sorted(name for name, _x, _y in marks_of(html, "map-partners"))
    # The commune (its village's agreement counted as its own area's) and its partner; the
    # unit, partner of the village's agreement, has no point.
    assert names == ["Phường B", "Xã Ia A"]
    assert "Xã C" not in names  # the draft's partner


def test_the_country_map_draws_hoang_sa_and_truong_sa_as_viet_nams(world):
    with translation.override("vi"):
        drawn = maps.partner_map(
            "c", "t", map_data.agreement_map(world["first"]), whole_country=True
        )
        svg = str(drawn.svg)
    assert "Quần đảo Hoàng Sa (Việt Nam)" in svg and "Quần đảo Trường Sa (Việt Nam)" in svg
    outline = maps.outline()
    assert len(outline["hoang_sa"]) >= 5 and len(outline["truong_sa"]) >= 10
    islands = re.search(r'<path class="land islands" d="([^"]+)"', svg).group(1)
    assert islands.count("M") == len(outline["hoang_sa"]) + len(outline["truong_sa"])
    for ring in outline["hoang_sa"]:
        assert all(110.9 <= x <= 113.0 and 15.6 <= y <= 17.3 for x, y in ring)


def test_the_outline_file_is_the_one_its_readme_names():
    data = json.loads(maps.OUTLINE.read_text(encoding="utf-8"))
    readme = (maps.OUTLINE.parent / "README.md").read_text(encoding="utf-8")
    assert data["source_sha256"] in readme and "world-atlas" in data["source"]
    assert (maps.OUTLINE.parent / "LICENSE-world-atlas.txt").is_file()


@pytest.mark.parametrize("count", [2, 8])
def test_the_dashboard_map_costs_the_same_queries_for_two_agreements_or_eight(
    db, count, django_assert_max_num_queries
):
    from activities.reports import rules
    from activities.reports.rules import DashboardFilters

    for n in range(count):
        factories.agreement(
            place(f"Xã {count}-{n}", 14 + n / 10, 108),
            place(f"Xã X{count}-{n}", 13, 108 + n / 10),
            published=True,
        )
    a = rules.ask(DashboardFilters(), datetime.date(2026, 12, 5))
    listed = rules.counted_agreements(a).filter(rules.listed(a))
    with django_assert_max_num_queries(4):
        data = map_data.dashboard_map(a, listed)
    assert len(data.places) == 2 * count and len(data.links) == count


def test_the_coverage_map_colours_each_commune_by_its_villages_partners(client, db):
    """One mark per commune of the page, coloured: every village partnered, some, none."""
    communes = {}
    for name, latitude, partnered in (
        ("Xã Đủ", 14.0, 2),
        ("Xã Thiếu", 14.2, 1),
        ("Xã Chưa", 14.4, 0),
    ):
        commune = place(name, latitude, 108.0)
        villages = [
            factories.locality(
                f"Làng {name} {n}",
                kind=LocalityKind.VILLAGE,
                parent=commune,
                is_ethnic_minority_area=True,
            )
            for n in range(2)
        ]
        for village in villages[:partnered]:
            factories.agreement(village, factories.locality(), published=True)
        communes[name] = commune
    html = client.get("/thong-ke/vung-dong-bao/").content.decode()
    svg = re.search(
        r'<svg class="map"[^>]*aria-labelledby="map-coverage-title".*?</svg>', html, re.S
    )
    found = {
        unescape(name): kind
        for name, kind in re.findall(
            r'aria-label="([^"]+)"[^>]*><circle class="k-(cov-[a-z]+)"', svg.group(0)
        )
    }
    assert found == {"Xã Đủ": "cov-all", "Xã Thiếu": "cov-some", "Xã Chưa": "cov-none"}
    assert "<line" not in svg.group(0)


def test_the_admin_places_a_unit_on_a_map_framed_around_it_or_its_commune(admin_client, world):
    """Issue 14: a village, a unit or an agency gets its point typed or by a click; the map is
    framed around the point, or its commune's, or the whole country."""

    def picker(locality):
        html = admin_client.get(f"/admin/localities/locality/{locality.pk}/change/").content
        svg = re.search(r'<svg class="map"[^>]*id="point-picker"[^>]*>', html.decode())
        assert svg, locality
        return {k: float(v) for k, v in re.findall(r'data-([a-z]+)="([-\d.]+)"', svg.group(0))}

    around_commune = picker(world["village"])  # no point of its own: its commune's
    assert around_commune["west"] < 108.1 < around_commune["west"] + 1.5
    assert around_commune["north"] - 1.5 < 13.9 < around_commune["north"]
    country = picker(world["unit"])  # no point, no parent
    assert (country["west"], country["north"]) == maps.COUNTRY[0:1] + maps.COUNTRY[3:4]
    page = admin_client.get(f"/admin/localities/locality/{world['a'].pk}/change/")
    assert 'class="k-picked"' in page.content.decode()
    assert "/static/ketnghia/point-picker" in page.content.decode()

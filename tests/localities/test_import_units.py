import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from localities import services
from localities.models import Locality, LocalityKind
from tests import factories

PLEIKU_SUCCESSORS = ["23563", "23575", "23584", "23586", "23590", "23602", "23611"]
GIA_LAI_ROWS = 1 + 135 + 1  # the province, its communes and wards, former TP. Pleiku


def import_units(*args):
    out = io.StringIO()
    call_command("import_units", *args, stdout=out)
    return out.getvalue()


def kinds(qs):
    return Counter(qs.values_list("kind", flat=True))


# The register file and its slugs: no database needed.


def test_register_file_holds_the_catalogue_after_1_7_2025():
    register = services.load_register()

    assert register["package"] == "vietnam-provinces"
    assert register["version"] == "2026.9.0"
    assert register["licence"] == "GPL-3.0-or-later"
    assert register["effective_on"] == "2025-07-01"
    assert len(register["provinces"]) == 34
    units = [u for p in register["provinces"] for u in p["units"]]
    assert Counter(u["kind"] for u in units) == {"commune": 2621, "ward": 687, "special_zone": 13}
    assert {len(p["code"]) for p in register["provinces"]} == {2}
    assert {len(u["code"]) for u in units} == {5}
    assert set(Counter(u["code"] for u in units).values()) == {1}


def test_register_slugs_are_unique_and_name_the_province_only_when_needed():
    slugs = services.register_slugs(services.load_register())

    assert len(set(slugs.values())) == len(slugs)
    assert slugs["52"] == "tinh-gia-lai"
    assert slugs["01"] == "thanh-pho-ha-noi"
    assert slugs["23869"] == "xa-ia-dok"
    assert slugs["21925"] == "phuong-an-nhon-bac"
    assert slugs["622"] == "thanh-pho-pleiku"
    an_phu = [slug for slug in slugs.values() if slug.startswith("phuong-an-phu-")]
    assert "phuong-an-phu-gia-lai" in an_phu
    assert "phuong-an-phu-ho-chi-minh" in an_phu
    # "Xã Tân Thành" and "Xã Tân Thạnh" both lie in Tây Ninh: the code tells them apart.
    assert slugs["25534"] == "xa-tan-thanh-tay-ninh-25534"


@pytest.mark.parametrize(
    "query", ["52", "gia lai", "Gia Lai", "GIA LAI", "Tỉnh Gia Lai", "tinh gia lai", " 52 "]
)
def test_find_province_by_code_or_name(query):
    assert services.find_province(services.load_register(), query)["code"] == "52"


def test_find_province_without_prefix_for_a_city():
    register = services.load_register()

    assert services.find_province(register, "Hồ Chí Minh")["code"] == "79"
    assert services.find_province(register, "TP. Hồ Chí Minh")["code"] == "79"
    assert services.find_province(register, "1")["name"] == "Thành phố Hà Nội"


# Importing.


@pytest.mark.django_db
def test_full_import_creates_the_country_and_a_second_run_changes_nothing(
    django_assert_max_num_queries,
):
    import_units()

    assert Locality.objects.count() == 34 + 3321 + 1
    provinces = Locality.objects.filter(kind=LocalityKind.PROVINCE)
    assert provinces.count() == 34
    assert not provinces.exclude(parent=None).exists()
    units = Locality.objects.filter(parent__kind=LocalityKind.PROVINCE).exclude(
        kind=LocalityKind.DISTRICT
    )
    assert kinds(units) == {"commune": 2621, "ward": 687, "special_zone": 13}
    gia_lai = Locality.objects.get(code="52")
    assert (gia_lai.name, gia_lai.slug) == ("Tỉnh Gia Lai", "tinh-gia-lai")
    assert kinds(gia_lai.children.exclude(kind=LocalityKind.DISTRICT)) == {
        "commune": 110,
        "ward": 25,
    }
    ia_dok = Locality.objects.get(name="Xã Ia Dơk")
    assert (ia_dok.code, ia_dok.slug, ia_dok.search_key) == ("23869", "xa-ia-dok", "xa ia dok")
    assert ia_dok.parent == gia_lai
    assert Locality.objects.get(name="Phường An Nhơn Bắc").code == "21925"
    assert list(Locality.objects.search("ia dok")) == [ia_dok]

    with django_assert_max_num_queries(20):
        counts = services.import_register()

    assert counts == {"created": 0, "updated": 0, "unchanged": 34 + 3321 + 1, "placed": 0}
    assert Locality.objects.count() == 34 + 3321 + 1


@pytest.mark.django_db
@pytest.mark.parametrize("option", ["gia lai", "52"])
def test_province_option_imports_only_that_province(option):
    out = import_units("--province", option)

    assert Locality.objects.count() == GIA_LAI_ROWS
    assert list(Locality.objects.filter(kind=LocalityKind.PROVINCE).values_list("code")) == [
        ("52",)
    ]
    assert kinds(Locality.objects.filter(parent__code="52")) == {
        "commune": 110,
        "ward": 25,
        "district": 1,
    }
    assert "Tỉnh Gia Lai (52)" in out


@pytest.mark.django_db
def test_province_import_reports_counts_and_a_rerun_is_unchanged():
    assert services.import_register(province="Gia Lai") == {
        "created": GIA_LAI_ROWS,
        "updated": 0,
        "unchanged": 0,
        "placed": GIA_LAI_ROWS - 1,  # every unit in force; the former district has no point
    }
    assert services.import_register(province="52") == {
        "created": 0,
        "updated": 0,
        "unchanged": GIA_LAI_ROWS,
        "placed": 0,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("option", ["Xyz", "99", ""])
def test_unknown_province_is_a_command_error_and_writes_nothing(option):
    with pytest.raises(CommandError, match="Gia Lai"):
        import_units("--province", option)

    assert not Locality.objects.exists()


@pytest.mark.django_db
def test_former_pleiku_is_dissolved_with_its_seven_successors():
    import_units("--province", "52")

    pleiku = Locality.objects.get(name="Thành phố Pleiku")
    assert pleiku.code == "622"
    assert pleiku.kind == LocalityKind.DISTRICT
    assert pleiku.parent.code == "52"
    assert pleiku.dissolved_on == datetime.date(2025, 7, 1)
    assert "1-7-2025" in pleiku.note
    assert sorted(pleiku.successors.values_list("code", flat=True)) == PLEIKU_SUCCESSORS
    assert Locality.objects.get(code="23575").name == "Phường Pleiku"
    assert list(Locality.objects.get(code="23575").predecessors.all()) == [pleiku]


@pytest.mark.django_db
def test_former_pleiku_is_not_recorded_with_another_province():
    import_units("--province", "Đắk Lắk")

    assert not Locality.objects.filter(code="622").exists()
    assert not Locality.objects.filter(kind=LocalityKind.DISTRICT).exists()


@pytest.mark.django_db
def test_a_changed_name_is_restored_and_the_slug_kept():
    import_units("--province", "52")
    Locality.objects.filter(code="23869").update(
        name="Xã Ia Đơk (sai)", search_key="xa ia dok (sai)", slug="ia-dok-cu"
    )

    counts = services.import_register(province="52")

    assert counts == {"created": 0, "updated": 1, "unchanged": GIA_LAI_ROWS - 1, "placed": 0}
    ia_dok = Locality.objects.get(code="23869")
    assert (ia_dok.name, ia_dok.search_key, ia_dok.slug) == ("Xã Ia Dơk", "xa ia dok", "ia-dok-cu")


@pytest.mark.django_db
def test_staff_rows_are_left_alone_and_their_slugs_not_taken():
    village = factories.locality(
        "Làng Ia Dơk", kind=LocalityKind.VILLAGE, slug="xa-ia-dok", is_ethnic_minority_area=True
    )
    agency = factories.locality("Sở Ngoại vụ", kind=LocalityKind.AGENCY, code="X-1")

    import_units("--province", "52")

    village.refresh_from_db()
    assert (village.name, village.slug, village.code, village.parent) == (
        "Làng Ia Dơk",
        "xa-ia-dok",
        None,
        None,
    )
    agency.refresh_from_db()
    assert (agency.name, agency.code) == ("Sở Ngoại vụ", "X-1")
    assert Locality.objects.get(code="23869").slug == "xa-ia-dok-23869"
    assert Locality.objects.count() == GIA_LAI_ROWS + 2


@pytest.mark.django_db
def test_a_village_under_an_imported_commune_survives_a_rerun():
    import_units("--province", "52")
    ia_dok = Locality.objects.get(code="23869")
    village = factories.locality("Làng Ghè", kind=LocalityKind.VILLAGE, parent=ia_dok)

    import_units("--province", "52")

    village.refresh_from_db()
    assert village.parent == ia_dok
    assert village.slug == "lang-ghe"


# --- Points: the centroid of each unit (localities/data/points-1.0.4.json) --------------------

# Viet Nam's bounding box, its islands included (Trường Sa reaches 117.8° E).
SOUTH, NORTH, WEST, EAST = Decimal("8.1"), Decimal("23.4"), Decimal("102.1"), Decimal("117.9")


def test_every_unit_of_the_register_has_a_point_in_viet_nam():
    register = services.load_register()
    points = services.load_points()
    codes = [p["code"] for p in register["provinces"]]
    codes += [u["code"] for p in register["provinces"] for u in p["units"]]
    assert len(codes) == 34 + 3321
    assert set(codes) == set(points)
    for code in codes:
        latitude, longitude = points[code]
        assert SOUTH <= latitude <= NORTH and WEST <= longitude <= EAST, code


def test_the_points_file_says_where_it_comes_from():
    import json

    with open(services.POINTS_PATH, encoding="utf-8") as f:
        data = json.load(f)
    assert (data["package"], data["version"], data["licence"]) == (
        "vietnamadminunits",
        "1.0.4",
        "MIT",
    )
    assert len(data["sha256"]) == 64 and data["file"].endswith("dataset.db")
    readme = (services.POINTS_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert data["sha256"] in readme and "points-1.0.4.json" in readme
    assert (services.POINTS_PATH.parent / "LICENSE-vietnamadminunits.txt").is_file()


@pytest.mark.django_db
def test_the_import_places_each_unit_once_and_keeps_a_point_staff_entered():
    services.import_register(province="52")
    ia_dok = Locality.objects.get(code="23869")
    latitude, longitude = services.load_points()["23869"]
    assert (ia_dok.latitude, ia_dok.longitude) == (latitude, longitude)
    assert Locality.objects.get(code="52").latitude is not None
    # A clerk moves a commune's point: the next import keeps it; a point removed comes back.
    Locality.objects.filter(code="23869").update(latitude=Decimal("14.1"), longitude=Decimal("108"))
    Locality.objects.filter(code="21925").update(latitude=None, longitude=None)
    out = import_units("--province", "52")
    assert "1 đơn vị được gán điểm trọng tâm" in out
    assert Locality.objects.get(code="23869").latitude == Decimal("14.1")
    assert Locality.objects.get(code="21925").latitude is not None
    assert services.import_register(province="52")["placed"] == 0

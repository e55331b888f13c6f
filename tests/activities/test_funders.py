"""Funders: one record per name whatever its spelling, chosen on activities, kept in the admin."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils.translation import gettext

from activities.models import Activity, ActivityType, Funder, FunderKind
from localities.admin import constraint_message
from localities.models import LocalityKind
from tests import factories
from tests.constraints import assert_rejected

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:activities_funder_changelist")
ADD = reverse("admin:activities_funder_add")


def test_the_search_key_and_slug_come_from_the_name():
    funder = factories.funder("Công ty TNHH Đức  Hải")
    assert (str(funder), funder.search_key, funder.slug) == (
        "Công ty TNHH Đức  Hải",
        "cong ty tnhh duc hai",
        "cong-ty-tnhh-duc-hai",
    )
    funder.name = "Công ty Cổ phần Đức Hải"
    funder.save(update_fields=["name"])
    funder.refresh_from_db()
    assert funder.search_key == "cong ty co phan duc hai"
    assert funder.slug == "cong-ty-tnhh-duc-hai"  # an address, once given, is kept


def test_names_that_share_a_slug_get_two():
    first = factories.funder("Công ty A.B")
    second = factories.funder("Công ty AB")
    assert (first.slug, second.slug) == ("cong-ty-ab", "cong-ty-ab-2")


def test_one_funder_per_name_diacritics_case_and_spaces_aside():
    factories.funder("Công ty ABC")
    again = Funder(name="cong ty  ABC", kind=FunderKind.ENTERPRISE, slug="cong-ty-abc-2")
    assert_rejected(
        again, "__all__", str(constraint_message(Funder, "activities_funder_name_unique"))
    )


def test_a_unit_of_the_register_is_one_funder_at_most():
    department = factories.locality("Sở Y tế", kind=LocalityKind.AGENCY)
    factories.funder("Sở Y tế", kind=FunderKind.AGENCY, locality=department)
    again = Funder(name="Sở Y tế tỉnh", kind=FunderKind.AGENCY, locality=department, slug="s")
    assert_rejected(
        again, "locality", str(constraint_message(Funder, "activities_funder_locality_unique"))
    )


def test_a_funder_with_activities_is_kept():
    funder = factories.funder()
    factories.activity(factories.agreement(), funder=funder)
    with pytest.raises(ProtectedError):
        funder.delete()
    assert Funder.objects.filter(pk=funder.pk).exists()


# --- The admin -------------------------------------------------------------------------------


def funder_post(**fields):
    return {"name": "", "kind": FunderKind.ENTERPRISE, "locality": "", "slug": "", "note": ""} | (
        fields
    )


def test_a_clerk_adds_a_funder_then_an_activity_it_paid_for(admin_client):
    response = admin_client.post(ADD, funder_post(name="  Công ty Cổ phần Cà phê Tây Nguyên "))
    assert response.status_code == 302, response.context and response.context["errors"]
    funder = Funder.objects.get()
    assert (funder.name, funder.slug) == (
        "Công ty Cổ phần Cà phê Tây Nguyên",
        "cong-ty-co-phan-ca-phe-tay-nguyen",
    )
    assert funder.history.get().history_type == "+"

    ia_dok = factories.locality("Xã Ia Dơk")
    agreement = factories.agreement(ia_dok, factories.locality("Phường An Nhơn Bắc"))
    response = admin_client.post(
        reverse("admin:activities_activity_add"),
        {
            "agreement": str(agreement.pk),
            "activity_type": str(ActivityType.objects.get(slug="tien-mat").pk),
            "status": "delivered",
            "recipient": str(ia_dok.pk),
            "funder": str(funder.pk),
            "starts_on": "27/12/2025",
            "date_precision": "day",
            "quantity_qualifier": "exact",
            "value_vnd": "30.000.000",
            "value_qualifier": "exact",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Activity.objects.get().funder == funder
    listing = admin_client.get(CHANGELIST)
    [row] = listing.context["cl"].result_list
    assert row.n_activities == 1
    assert f"?funder__id__exact={funder.pk}" in listing.content.decode()


def test_the_same_name_spelt_otherwise_is_refused_at_the_field(admin_client):
    existing = factories.funder("Công ty Cổ phần Mía đường")
    response = admin_client.post(ADD, funder_post(name="CONG TY CO PHAN MIA DUONG"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "name": [
            gettext(
                "“%(funder)s” is already a funder (the names differ only in diacritics, "
                "case or spaces): choose it rather than adding it again."
            )
            % {"funder": existing.name}
        ]
    }
    assert Funder.objects.count() == 1
    # Its own page saves it unchanged, and corrects its spelling.
    url = reverse("admin:activities_funder_change", args=[existing.pk])
    response = admin_client.post(
        url, funder_post(name="Công ty Cổ phần Mía Đường", slug=existing.slug)
    )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.name == "Công ty Cổ phần Mía Đường"


def test_search_and_autocomplete_ignore_diacritics(admin_client):
    viettel = factories.funder("Tổng Công ty Viễn thông Quân đội")
    factories.funder("Quỹ Vì người nghèo", kind=FunderKind.ORGANISATION)
    response = admin_client.get(CHANGELIST, {"q": "vien thong"})
    assert list(response.context["cl"].result_list) == [viettel]
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "activities",
            "model_name": "activity",
            "field_name": "funder",
            "term": "Viễn",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == [viettel.name]


def test_the_list_filters_by_kind_and_counts_the_activities(admin_client):
    agreement = factories.agreement()
    for n in range(3):
        funder = factories.funder(kind=FunderKind.ENTERPRISE if n else FunderKind.INDIVIDUAL)
        for _ in range(n):
            factories.activity(agreement, funder=funder)
    response = admin_client.get(CHANGELIST, {"kind__exact": FunderKind.ENTERPRISE})
    assert sorted(f.n_activities for f in response.context["cl"].result_list) == [1, 2]

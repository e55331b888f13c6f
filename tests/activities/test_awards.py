"""The merit register (issue 13): awards given for the work of an agreement, counted and named,
linked to the activities that justify them; kept in the admin by reviewers and province
administrators in their scope, read by every role, exported as a workbook."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from activities import demo
from activities.models import Activity, Award, AwardForm, AwardLevel, AwardRecipient
from activities.resources import AwardResource
from agreements.models import Event, Source
from localities.models import LocalityKind, StaffLocality
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    return factories.locality("Xã Thi Đua")


@pytest.fixture
def agreement(commune):
    return factories.agreement(
        commune, factories.locality("Đồn Khen", kind=LocalityKind.MILITARY_UNIT), published=True
    )


def account(name, group, remit=None):
    user = User.objects.create_user(name, password="mat-khau-thu-9", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if remit is not None:
        StaffLocality.objects.create(user=user, locality=remit)
    client = Client()
    client.force_login(user)
    return client


def award_form(agreement, **fields):
    data = {
        "agreement": agreement.pk,
        "form": AwardForm.MERIT,
        "level": AwardLevel.PROVINCE,
        "issuer": "Chủ tịch UBND tỉnh Gia Lai",
        "decision_number": "123/QĐ-UBND",
        "decided_on": "15/01/2026",
        "date_precision": "day",
        "event": "",
        "period_from": "2021",
        "period_to": "2025",
        "reason": "Thành tích xuất sắc trong phong trào kết nghĩa",
        "collectives": "1",
        "people": "1",
        "source": "",
        "recipients-TOTAL_FORMS": 0,
        "recipients-INITIAL_FORMS": 0,
        "recipients-MIN_NUM_FORMS": 0,
        "recipients-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def with_recipients(data, rows):
    data["recipients-TOTAL_FORMS"] = len(rows)
    for n, row in enumerate(rows):
        defaults = {"locality": "", "name": "", "title": "", "is_person": "", "public": ""}
        data.update({f"recipients-{n}-{k}": v for k, v in {**defaults, **row}.items()})
    return data


# --- the model's rules ------------------------------------------------------------------------


def test_an_award_counts_its_recipients(agreement):
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(agreement=agreement, form=AwardForm.MERIT, issuer="UBND")
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(
            agreement=agreement,
            form=AwardForm.MERIT,
            issuer="UBND",
            people=1,
            period_from=2025,
            period_to=2020,
        )
    award = Award.objects.create(
        agreement=agreement, form=AwardForm.COMMENDATION, issuer="UBND", collectives=10, people=10
    )
    assert str(award) == "20 giấy khen – UBND"


def test_a_recipient_is_a_unit_or_a_name(agreement, commune):
    award = Award.objects.create(agreement=agreement, form="merit", issuer="UBND", people=2)
    for fields in (
        {},
        {"locality": commune, "name": "Ông A"},
        {"locality": commune, "is_person": True},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            AwardRecipient.objects.create(award=award, **fields)
    assert str(AwardRecipient.objects.create(award=award, locality=commune)) == "Xã Thi Đua"


def test_an_award_to_come_or_with_another_agreements_event_is_refused(agreement):
    other = factories.agreement(published=True)
    event = Event.objects.create(
        agreement=other, kind="review", title="Tổng kết", held_on=datetime.date(2025, 1, 1)
    )
    award = Award(
        agreement=agreement,
        form=AwardForm.MERIT,
        issuer="UBND",
        people=1,
        decided_on=timezone.localdate() + datetime.timedelta(days=30),
        event=event,
    )
    with pytest.raises(ValidationError) as refused:
        award.full_clean()
    assert set(refused.value.message_dict) == {"decided_on", "event"}


# --- the admin ------------------------------------------------------------------------------


def test_a_reviewer_records_an_award_with_its_recipients_and_activities(agreement, commune):
    reviewer = account("duyet-xa", "Người duyệt đăng", remit=commune)
    justified = factories.activity(agreement, description="Xây nhà tình nghĩa")
    data = with_recipients(
        award_form(agreement, activities=[justified.pk]),
        [
            {"locality": commune.pk},
            {"name": "Nguyễn Văn Khen", "title": "Chủ tịch UBND xã", "is_person": "on"},
        ],
    )
    response = reviewer.post("/admin/activities/award/add/", data)
    assert response.status_code == 302, response.context["errors"]
    award = Award.objects.get()
    assert (award.collectives, award.people, award.decision_number) == (1, 1, "123/QĐ-UBND")
    assert list(award.activities.all()) == [justified]
    assert [str(r) for r in award.recipients.all()] == ["Xã Thi Đua", "Nguyễn Văn Khen"]
    assert not award.recipients.get(is_person=True).public
    assert award.history.first().history_user.username == "duyet-xa"


def test_more_names_than_counted_or_another_agreements_activity_is_refused(agreement, commune):
    reviewer = account("duyet-xa", "Người duyệt đăng", remit=commune)
    elsewhere = factories.activity(
        factories.agreement(commune, factories.locality(), published=True)
    )
    data = with_recipients(
        award_form(agreement, people="1", activities=[elsewhere.pk]),
        [
            {"name": "Ông Một", "is_person": "on"},
            {"name": "Bà Hai", "is_person": "on"},
        ],
    )
    response = reviewer.post("/admin/activities/award/add/", data)
    assert response.status_code == 200
    assert "thuộc một giao ước khác" in str(response.context["adminform"].form.errors["activities"])
    [refusal] = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert refusal.startswith("2 ")
    assert not Award.objects.exists()


def test_an_editor_reads_the_register_but_does_not_keep_it(agreement, commune):
    editor = account("nhap-lieu-xa", "Cán bộ nhập liệu", remit=commune)
    award = Award.objects.create(agreement=agreement, form="merit", issuer="UBND", people=1)
    assert editor.get("/admin/activities/award/").status_code == 200
    assert editor.get("/admin/activities/award/add/").status_code == 403
    assert (
        editor.post(f"/admin/activities/award/{award.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Award.objects.filter(pk=award.pk).exists()


def test_the_justifying_activities_are_searched_among_the_agreements(agreement, commune):
    reviewer = account("duyet-xa", "Người duyệt đăng", remit=commune)
    ours = factories.activity(agreement, description="Quà Tết làng")
    factories.activity(
        factories.agreement(commune, factories.locality(), published=True), description="Quà Tết xã"
    )
    params = {
        "app_label": "activities",
        "model_name": "award",
        "field_name": "activities",
        "term": "qua tet",
        "agreement": agreement.pk,
    }
    found = reviewer.get("/admin/autocomplete/", params).json()["results"]
    assert [int(row["id"]) for row in found] == [ours.pk]


def test_the_export_holds_the_awards_in_scope_with_every_name(agreement, commune):
    reviewer = account("duyet-xa", "Người duyệt đăng", remit=commune)
    award = Award.objects.create(
        agreement=agreement,
        form=AwardForm.COMMENDATION,
        issuer="=UBND xã",
        decided_on=datetime.date(2025, 12, 30),
        collectives=1,
        people=1,
    )
    AwardRecipient.objects.create(award=award, locality=commune)
    AwardRecipient.objects.create(award=award, name="Trần Thị Riêng", is_person=True)
    Award.objects.create(
        agreement=factories.agreement(published=True), form="merit", issuer="Ngoài", people=1
    )
    url = "/admin/activities/award/export/"
    form = reviewer.get(url).context["form"]
    xlsx = {str(label).lower(): key for key, label in form.fields["format"].choices}["xlsx"]
    response = reviewer.post(
        url,
        {"format": xlsx, "resource": "0"}
        | {f"awardresource_{name}": "on" for name in AwardResource._meta.fields},
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    header, *rows = book.active.iter_rows(values_only=True)
    assert header[:4] == ("Giao ước", "Hình thức", "Cấp", "Cơ quan khen thưởng")
    [row] = rows
    record = dict(zip(header, row, strict=True))
    assert record["Hình thức"] == "Giấy khen" and record["Cơ quan khen thưởng"] == "'=UBND xã"
    assert record["Ngày"] == "30/12/2025"
    assert record["Đơn vị, cá nhân được ghi tên"] == "Xã Thi Đua; Trần Thị Riêng (cá nhân)"


@pytest.mark.parametrize("count", [1, 10])
def test_the_register_costs_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, count
):
    for n in range(count):
        agreement = factories.agreement(published=True)
        activity = factories.activity(agreement)
        award = Award.objects.create(
            agreement=agreement, form="merit", issuer=f"UBND {n}", collectives=1, people=1
        )
        award.activities.add(activity)
        AwardRecipient.objects.create(award=award, name=f"Ông {n}", is_person=True)
    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/activities/award/")
    assert response.context["cl"].result_count == count
    award = Award.objects.last()
    with django_assert_max_num_queries(30):
        assert admin_client.get(f"/admin/activities/award/{award.pk}/change/").status_code == 200


@pytest.fixture
def demo_data(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    demo.load_demo()


def test_the_demo_holds_the_20_year_reviews_commendations(demo_data):
    """Báo Gia Lai, July 2023: "UBND TP. Pleiku và Sư đoàn 320 cũng trao tặng 20 giấy khen cho
    10 tập thể và 10 cá nhân có thành tích xuất sắc trong 20 năm hoạt động kết nghĩa": counted,
    not named."""
    [award] = Award.objects.all()
    assert award.agreement.title.startswith("Sư đoàn 320")
    assert (award.form, award.issuer) == (AwardForm.COMMENDATION, "UBND TP. Pleiku và Sư đoàn 320")
    assert (award.collectives, award.people) == (10, 10)
    assert (award.period_from, award.period_to) == (2003, 2023)
    assert award.event.title.startswith("Hội nghị tổng kết 20 năm")
    assert award.source == Source.objects.get(agreement=award.agreement)
    assert [a.activity_type.slug for a in award.activities.all()] == ["giay-khen"]
    assert not award.recipients.exists()
    assert Activity.objects.get(awards=award).quantity == 20


def test_the_agreement_page_lists_its_awards_naming_units_and_public_people(client, agreement):
    """The public list of awards: collectives named, a person only where staff marked it."""
    award = Award.objects.create(
        agreement=agreement,
        form=AwardForm.MERIT,
        level=AwardLevel.PROVINCE,
        issuer="Chủ tịch UBND tỉnh Gia Lai",
        decision_number="123/QĐ-UBND",
        decided_on=datetime.date(2026, 1, 15),
        period_from=2021,
        period_to=2025,
        reason="Thành tích xuất sắc trong phong trào kết nghĩa.",
        collectives=1,
        people=2,
    )
    AwardRecipient.objects.create(award=award, locality=agreement.parties.first().locality)
    AwardRecipient.objects.create(
        award=award, name="Trần Thị Công Khai", is_person=True, public=True
    )
    AwardRecipient.objects.create(award=award, name="Lê Văn Kín", is_person=True)
    page = client.get(f"/giao-uoc/{agreement.slug}/").content.decode()
    assert "Khen thưởng" in page
    assert "Chủ tịch UBND tỉnh Gia Lai" in page and "123/QĐ-UBND" in page
    assert "Xã Thi Đua" in page and "Trần Thị Công Khai" in page
    assert "Lê Văn Kín" not in page
    assert "1 tập thể, 2 cá nhân" in page

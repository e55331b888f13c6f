"""The admin: every page answers with a fixed number of queries; data entry rules hold."""

import datetime
import json
import re
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from simple_history.models import HistoricalChanges

from activities.models import (
    Activity,
    ActivityType,
    Award,
    AwardForm,
    AwardRecipient,
    FollowUp,
    Funder,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    Need,
    Offer,
    OutcomeIndicator,
    OutcomeValue,
    PeriodApproval,
    Plan,
    PlanItem,
    TargetKind,
)
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    Event,
    LegalDocument,
    Party,
    PartyRole,
    Photo,
    Programme,
    Publication,
    PublicationAction,
    Revision,
    Source,
)
from ketnghia.admin_site import SiteAdmin
from ketnghia.models import ErrorReport, ReportFile, WrittenReport
from localities import admin as admin_search
from localities import admin_lists
from localities.admin import constraint_message
from localities.models import Locality, LocalityKind, StaffLocality
from tests import factories

# Messages are compared with their translation, whatever state the catalogs are in.
TOO_FEW_PARTIES = (
    "An agreement needs at least two twinning parties: choose the localities "
    "or units that signed it (a coordinating unit does not count)."
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(model._meta.label for model in admin.site._registry)
# django-axes' records of login attempts and the publication log: read-only, their add page
# answers 403; so do the plan items', follow-ups' and attendances' (added on their parent's page).
READ_ONLY = {
    "activities.PlanItem",
    "activities.FollowUp",
    "activities.MeetingAttendance",
    "activities.AwardRecipient",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "agreements.Publication",
    "agreements.Revision",
    "ketnghia.ErrorReport",
}
# The agreement page's inlines: formset prefixes and model names.
INLINES = ("parties", "commitments", "programmes", "events", "photos", "sources")
INLINE_MODELS = ("party", "commitment", "programme", "event", "photo", "source")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def build(n):
    """n times the same shape: a province, two communes, a village, a dissolved district, an
    agreement with every part, two activities (one paid by a funder), a legal document, an area,
    a type, a user, a group.
    """
    for _ in range(n):
        province = factories.locality(kind=LocalityKind.PROVINCE)
        commune = factories.locality(kind=LocalityKind.COMMUNE, parent=province)
        ward = factories.locality(kind=LocalityKind.WARD, parent=province)
        village = factories.locality(
            kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True
        )
        district = factories.locality(
            kind=LocalityKind.DISTRICT, parent=province, dissolved_on=datetime.date(2025, 6, 30)
        )
        district.successors.add(commune, ward)
        agreement = factories.agreement(commune, ward, published=True)
        Party.objects.create(
            agreement=agreement, locality=district, role=PartyRole.COORDINATOR, position=3
        )
        factories.commitment(agreement)
        Programme.objects.create(
            agreement=agreement, name="Chương trình phối hợp 2023–2033", starts_on="2023-01-01"
        )
        event = Event.objects.create(
            agreement=agreement, kind="signing", title="Lễ ký kết", held_on="2025-12-27"
        )
        Photo.objects.create(
            agreement=agreement, event=event, image="photos/2025/12/le-ky.jpg", caption="Lễ ký"
        )
        source = Source.objects.create(agreement=agreement, title="Báo Gia Lai")
        document = LegalDocument.objects.create(
            number=f"{agreement.pk}-CT/TU",
            kind="directive",
            title="Chỉ thị về kết nghĩa",
            issuer="Ban Thường vụ Tỉnh ủy",
            issued_on="2025-08-01",
            slug=f"chi-thi-{agreement.pk}",
        )
        agreement.legal_basis.add(document)
        factories.activity(
            agreement,
            giver=ward,
            recipient=village,
            event=event,
            source=source,
            funder=factories.funder(),
        )
        factories.activity(
            agreement,
            type_slug="ngay-cong",
            quantity=Decimal(15000),
            quantity_qualifier="nearly",
            giver=commune,
            recipient=ward,
        )
        plan = Plan.objects.create(agreement=agreement, year=2026)
        houses = PlanItem.objects.create(
            plan=plan,
            area=CommitmentArea.objects.first(),
            description="Xây nhà",
            target_kind=TargetKind.QUANTITY,
            activity_type=factories.activity_type("nha-o"),
            target_quantity=2,
            responsible=ward,
        )
        PlanItem.objects.create(
            plan=plan,
            area=CommitmentArea.objects.first(),
            description="Hỗ trợ Tết",
            target_kind=TargetKind.MONEY,
            target_vnd=30_000_000,
        )
        factories.activity(
            agreement, "nha-o", quantity=1, plan_item=houses, starts_on=datetime.date(2026, 3, 1)
        )
        meeting = Meeting.objects.create(
            agreement=agreement, kind=MeetingKind.YEAR, held_on=datetime.date(2026, 1, 10)
        )
        MeetingAttendance.objects.create(meeting=meeting, locality=ward, people="Ông A – Bí thư")
        FollowUp.objects.create(
            meeting=meeting, decision="Sửa đường", owner=commune, due_on=datetime.date(2026, 3, 1)
        )
        PeriodApproval.objects.create(year=2000 + agreement.pk, locality=commune)
        OutcomeValue.objects.create(
            locality=commune,
            indicator=OutcomeIndicator.objects.first(),
            year=2025,
            value=12,
            source="Niên giám",
            as_of=datetime.date(2025, 12, 31),
        )
        award = Award.objects.create(
            agreement=agreement,
            form=AwardForm.MERIT,
            issuer="Chủ tịch UBND tỉnh",
            decided_on=datetime.date(2025, 12, 30),
            event=event,
            source=source,
            collectives=2,
            people=1,
        )
        award.activities.set(agreement.activities.all())
        AwardRecipient.objects.create(award=award, locality=commune)
        AwardRecipient.objects.create(award=award, name="Nguyễn Văn A", is_person=True)
        need = Need.objects.create(
            locality=commune, area=CommitmentArea.objects.first(), title="Sửa nhà văn hoá"
        )
        Offer.objects.create(need=need, party=ward, description="Hai mươi ngày công")
        CommitmentArea.objects.create(name=f"Lĩnh vực {agreement.pk}", slug=f"lv-{agreement.pk}")
        ActivityType.objects.create(name=f"Loại {agreement.pk}", slug=f"loai-{agreement.pk}")
        Group.objects.create(name=f"Nhóm {agreement.pk}")
        user = get_user_model().objects.create_user(f"canbo{agreement.pk}", is_staff=True)
        StaffLocality.objects.create(user=user, locality=commune)
        # published by the factory (a system job), then by a person: both kinds of log rows
        Publication.objects.create(
            agreement=agreement, action=PublicationAction.PUBLISHED, actor=user
        )
        # a proposed change of the source's publisher, pending (its page reads the source)
        Revision.objects.create(
            agreement=agreement,
            subject=source.title,
            changes=[
                {
                    "model": "agreements.source",
                    "pk": source.pk,
                    "action": "change",
                    "label": source.title,
                    "fields": [
                        {
                            "name": "publisher",
                            "label": "nơi đăng",
                            "old": source.publisher,
                            "new": "Báo Gia Lai",
                            "old_text": source.publisher,
                            "new_text": "Báo Gia Lai",
                        }
                    ],
                }
            ],
            author=user,
        )
        attempt = {
            "username": f"canbo{agreement.pk}",
            "ip_address": "203.0.113.7",
            "user_agent": "Firefox",
            "http_accept": "text/html",
            "path_info": "/admin/login/",
        }
        AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
        AccessFailureLog.objects.create(**attempt)
        AccessLog.objects.create(**attempt)
        ErrorReport.objects.create(
            page=f"/giao-uoc/{agreement.slug}/", message="Sai ngày ký", sender=str(agreement.pk)
        )
        report = WrittenReport.objects.create(
            kind="annual", scope="agreement", agreement=agreement, year_to=2025, issuer="UBND"
        )
        ReportFile.objects.create(report=report, format="docx", status="done")
        ReportFile.objects.create(report=report, format="pdf", status="queued")


def admin_urls(label):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    opts = model._meta
    first = model._default_manager.order_by("pk").first()
    name = f"admin:{opts.app_label}_{opts.model_name}"
    return {
        "changelist": reverse(f"{name}_changelist"),
        "add": reverse(f"{name}_add"),
        "change": reverse(f"{name}_change", args=[first.pk]),
    }


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("label", REGISTERED)
def test_pages_answer_with_the_same_queries_for_1x_and_10x_data(admin_client, label):
    build(1)
    urls = admin_urls(label)
    if label in READ_ONLY:
        assert admin_client.get(urls.pop("add")).status_code == 403
    for url in urls.values():  # warm the caches (content types, session)
        admin_client.get(url)
    once = {page: count_queries(admin_client, url) for page, url in urls.items()}
    build(9)
    assert {page: url for page, url in admin_urls(label).items() if page in urls} == urls
    tenfold = {page: count_queries(admin_client, url) for page, url in urls.items()}
    print(f"\n{label}: {once}")
    assert tenfold == once


def test_agreement_page_queries_do_not_grow_with_its_rows(admin_client):
    def agreement_with(rows):
        agreement = factories.agreement(*[factories.locality() for _ in range(rows + 1)])
        for i in range(rows):
            factories.commitment(agreement)
            event = Event.objects.create(
                agreement=agreement, kind="visit", title=f"Thăm {i}", held_on="2025-12-27"
            )
            Photo.objects.create(
                agreement=agreement, event=event, image=f"photos/{i}.jpg", caption="Ảnh"
            )
            Programme.objects.create(agreement=agreement, name="Giai đoạn", starts_on="2023-1-1")
            Source.objects.create(agreement=agreement, title="Báo Gia Lai")
        return f"/admin/agreements/agreement/{agreement.pk}/change/"

    small, large = agreement_with(1), agreement_with(6)
    admin_client.get(small)
    assert count_queries(admin_client, large) == count_queries(admin_client, small)
    # and no inline reads a whole table (the formset's hidden id field lists every row)
    for url in (large, "/admin/agreements/agreement/add/"):
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(url)
        for query in queries.captured_queries:
            table = query["sql"].split(" FROM ", 1)[-1].split()[0].strip('"')
            if table in {f"agreements_{name}" for name in INLINE_MODELS}:
                assert " WHERE " in query["sql"], query["sql"]


# Derived tables, rebuilt from the others and never edited by hand.
DERIVED = {
    "activities.ActivitySummary",
    "activities.AgreementDates",
    "activities.DashboardSnapshot",
    "activities.FiguresGeneration",
}


def test_every_model_of_the_project_is_registered():
    for app in ("localities", "agreements", "activities"):
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, HistoricalChanges):
                continue  # The history of a model is shown on its own admin's history page.
            if model._meta.label in DERIVED:
                assert model not in admin.site._registry, model
                continue
            assert model in admin.site._registry, model


def test_site_header_names_the_province(admin_client, settings):
    settings.PROVINCE_NAME = "Gia Lai"
    response = admin_client.get("/admin/")
    assert "Kết nghĩa – Gia Lai" in response.content.decode()


# --- Search ignoring diacritics ----------------------------------------------------------


@pytest.fixture
def communes():
    ia_dok = factories.locality("Xã Ia Dơk", code="23869")
    an_nhon_bac = factories.locality("Phường An Nhơn Bắc", kind=LocalityKind.WARD, code="21925")
    factories.locality("Xã Ia Grai")
    return ia_dok, an_nhon_bac


def test_locality_search_ignores_diacritics(admin_client, communes):
    response = admin_client.get("/admin/localities/locality/", {"q": "ia dok"})
    content = response.content.decode()
    assert "Xã Ia Dơk" in content
    assert "Xã Ia Grai" not in content
    response = admin_client.get("/admin/localities/locality/", {"q": "21925"})
    assert "Phường An Nhơn Bắc" in response.content.decode()


def test_party_autocomplete_ignores_diacritics(admin_client, communes):
    response = admin_client.get(
        "/admin/autocomplete/?app_label=agreements&model_name=party&field_name=locality"
        "&term=ia%20dok"
    )
    assert response.status_code == 200
    results = json.loads(response.content)["results"]
    assert [r["text"] for r in results] == ["Xã Ia Dơk"]


def test_agreement_search_ignores_diacritics(admin_client, communes):
    factories.agreement(*communes, title="Xã Ia Dơk – Phường An Nhơn Bắc")
    factories.agreement(title="Giao ước khác")
    content = admin_client.get("/admin/agreements/agreement/", {"q": "an nhon"}).content.decode()
    assert "Xã Ia Dơk – Phường An Nhơn Bắc" in content
    assert "Giao ước khác" not in content


# --- The agreement page: parties, commitments, title ---------------------------------------


def agreement_post(parties=(), commitments=(), **fields):
    data = {
        "title": "",
        "slug": "",
        "signed_on": "",
        "signed_at_place": "",
        "ended_on": "",
        "summary": "",
        **fields,
    }
    rows = {"parties": parties, "commitments": commitments}
    for prefix in INLINES:
        forms = rows.get(prefix, ())
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, form in enumerate(forms):
            for key, value in form.items():
                data[f"{prefix}-{i}-{key}"] = value
    return data


def party_row(locality, position=0, role=PartyRole.PARTY):
    return {
        "locality": str(locality.pk),
        "role": role,
        "signatory_name": "",
        "signatory_title": "",
        "position": str(position),
    }


def test_agreement_with_one_party_is_refused_and_nothing_is_saved(admin_client, communes):
    ia_dok, an_nhon_bac = communes
    response = admin_client.post(
        "/admin/agreements/agreement/add/",
        agreement_post(
            parties=[
                party_row(ia_dok),
                party_row(an_nhon_bac, position=1, role=PartyRole.COORDINATOR),
            ]
        ),
    )
    assert response.status_code == 200
    party_formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "parties"
    )
    assert party_formset.non_form_errors() == [gettext(TOO_FEW_PARTIES)]
    assert gettext(TOO_FEW_PARTIES) in response.content.decode()
    assert not Agreement.objects.exists()
    assert not Party.objects.exists()


def test_the_same_locality_twice_is_refused_at_the_field(admin_client, communes):
    ia_dok, _ = communes
    response = admin_client.post(
        "/admin/agreements/agreement/add/",
        agreement_post(parties=[party_row(ia_dok), party_row(ia_dok, position=1)]),
    )
    assert response.status_code == 200
    party_formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "parties"
    )
    assert party_formset.forms[1].errors["locality"] == [
        constraint_message(Party, "agreements_party_unique_locality")
    ]
    assert not Agreement.objects.exists()


def test_agreement_with_two_parties_and_a_commitment_is_saved_with_its_title(
    admin_client, communes
):
    ia_dok, an_nhon_bac = communes
    area = CommitmentArea.objects.get(slug="quoc-phong-an-ninh")
    response = admin_client.post(
        "/admin/agreements/agreement/add/",
        agreement_post(
            parties=[party_row(ia_dok), party_row(an_nhon_bac, position=1)],
            commitments=[{"area": str(area.pk), "text": "Giữ vững an ninh", "position": "0"}],
            signed_on="27/12/2025",
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    agreement = Agreement.objects.get()
    assert agreement.title == "Xã Ia Dơk – Phường An Nhơn Bắc"
    assert agreement.slug == "xa-ia-dok-phuong-an-nhon-bac-2025"
    assert agreement.signed_on == datetime.date(2025, 12, 27)
    assert agreement.status == AgreementStatus.DRAFT
    assert [p.locality for p in agreement.parties.all()] == [ia_dok, an_nhon_bac]
    assert agreement.commitments.get().area == area


def test_a_party_of_a_published_agreement_can_be_replaced(admin_client, communes):
    ia_dok, an_nhon_bac = communes
    other = factories.locality("Xã Chư Păh")
    agreement = factories.agreement(ia_dok, an_nhon_bac, published=True)
    first, second = agreement.parties.all()
    data = agreement_post(
        parties=[
            {**party_row(ia_dok), "id": str(first.pk), "agreement": str(agreement.pk)},
            {
                **party_row(an_nhon_bac, position=1),
                "id": str(second.pk),
                "agreement": str(agreement.pk),
                "DELETE": "on",
            },
            party_row(other, position=2),
        ],
        title=agreement.title,
        slug=agreement.slug,
        signed_on="27/12/2025",
    )
    data["parties-INITIAL_FORMS"] = "2"
    response = admin_client.post(f"/admin/agreements/agreement/{agreement.pk}/change/", data)
    assert response.status_code == 302
    assert [p.locality for p in agreement.parties.all()] == [ia_dok, other]


@pytest.mark.parametrize("published", [False, True])
def test_removing_a_party_and_adding_it_again_keeps_one_row(admin_client, communes, published):
    """A clerk deletes a row and re-enters the same locality to fix its signatory."""
    ia_dok, an_nhon_bac = communes
    agreement = factories.agreement(ia_dok, an_nhon_bac, published=published)
    first, second = agreement.parties.all()
    data = agreement_post(
        parties=[
            {**party_row(ia_dok), "id": str(first.pk), "agreement": str(agreement.pk)},
            {
                **party_row(an_nhon_bac, position=1),
                "id": str(second.pk),
                "agreement": str(agreement.pk),
                "DELETE": "on",
            },
            {**party_row(an_nhon_bac, position=1), "signatory_name": "Nguyễn Văn A"},
        ],
        title=agreement.title,
        slug=agreement.slug,
        signed_on="27/12/2025",
    )
    data["parties-INITIAL_FORMS"] = "2"
    response = admin_client.post(f"/admin/agreements/agreement/{agreement.pk}/change/", data)
    assert response.status_code == 302
    parties = list(agreement.parties.all())
    assert [(p.locality, p.signatory_name) for p in parties] == [
        (ia_dok, ""),
        (an_nhon_bac, "Nguyễn Văn A"),
    ]
    assert parties[1].pk == second.pk


def test_two_rows_trading_localities_get_a_message_not_an_error_page(admin_client, communes):
    ia_dok, an_nhon_bac = communes
    agreement = factories.agreement(ia_dok, an_nhon_bac, published=True)
    first, second = agreement.parties.all()
    data = agreement_post(
        parties=[
            {**party_row(an_nhon_bac), "id": str(first.pk), "agreement": str(agreement.pk)},
            {**party_row(ia_dok, 1), "id": str(second.pk), "agreement": str(agreement.pk)},
        ],
        title=agreement.title,
        slug=agreement.slug,
        signed_on="27/12/2025",
    )
    data["parties-INITIAL_FORMS"] = "2"
    response = admin_client.post(f"/admin/agreements/agreement/{agreement.pk}/change/", data)
    assert response.status_code == 200
    assert "Một dòng khác của giao ước đang giữ địa phương này" in response.content.decode()
    assert [p.locality for p in agreement.parties.all()] == [ia_dok, an_nhon_bac]


@pytest.mark.parametrize("emptied", ["signed_on", "slug"])
def test_a_published_agreement_keeps_its_date_and_address(admin_client, communes, emptied):
    agreement = factories.agreement(*communes, published=True)
    first, second = agreement.parties.all()
    data = agreement_post(
        parties=[
            {**party_row(p.locality, p.position), "id": str(p.pk), "agreement": str(agreement.pk)}
            for p in (first, second)
        ],
        title=agreement.title,
        slug=agreement.slug,
        signed_on="27/12/2025",
    )
    data[emptied] = ""
    data["parties-INITIAL_FORMS"] = "2"
    response = admin_client.post(f"/admin/agreements/agreement/{agreement.pk}/change/", data)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [emptied]
    agreement.refresh_from_db()
    assert agreement.signed_on == datetime.date(2025, 12, 27)
    assert agreement.slug


# --- Publishing and deleting through the services -------------------------------------------


def action(client, name, *agreements):
    return client.post(
        "/admin/agreements/agreement/",
        {"action": name, "_selected_action": [str(a.pk) for a in agreements], "post": "yes"},
        follow=True,
    )


def test_publish_action_refuses_an_agreement_without_signing_date(admin_client, communes):
    undated = factories.agreement(*communes, signed_on=None, title="Giao ước chưa có ngày")
    ready = factories.agreement(title="Giao ước đủ điều kiện")
    response = action(admin_client, "publish", undated, ready)
    sent = [(m.level, str(m)) for m in get_messages(response.wsgi_request)]
    errors = [text for level, text in sent if level == message_levels.ERROR]
    assert len(errors) == 1
    assert "Giao ước chưa có ngày" in errors[0]
    assert gettext("it needs a signing date") in errors[0]
    assert any(level == message_levels.SUCCESS for level, _ in sent)
    undated.refresh_from_db()
    ready.refresh_from_db()
    assert undated.status == AgreementStatus.DRAFT
    assert ready.status == AgreementStatus.PUBLISHED


def test_unpublish_action(admin_client):
    agreement = factories.agreement(published=True)
    action(admin_client, "unpublish", agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.published_at is None


def test_a_published_agreement_is_deleted_from_its_page(admin_client):
    agreement = factories.agreement(published=True)
    factories.commitment(agreement)
    response = admin_client.post(
        f"/admin/agreements/agreement/{agreement.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Agreement.objects.exists()
    assert not Party.objects.exists()
    assert not Commitment.objects.exists()


def test_published_agreements_are_deleted_in_bulk(admin_client):
    agreements = [factories.agreement(published=True) for _ in range(3)]
    response = action(admin_client, "delete_selected", *agreements)
    assert response.status_code == 200
    assert not Agreement.objects.exists()
    assert not Party.objects.exists()


def test_an_agreement_with_activities_is_not_deleted(admin_client):
    agreement = factories.agreement(published=True)
    factories.activity(agreement)
    response = admin_client.post(
        f"/admin/agreements/agreement/{agreement.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 200  # the page lists the protected activities
    assert Agreement.objects.filter(pk=agreement.pk, status=AgreementStatus.PUBLISHED).exists()


def test_the_last_two_signers_of_a_published_agreement_cannot_be_deleted_alone(admin_client):
    agreement = factories.agreement(published=True)
    party = agreement.parties.first()
    response = admin_client.post(f"/admin/agreements/party/{party.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    assert message.level == message_levels.ERROR
    assert agreement.parties.count() == 2
    factories.agreement(agreement.parties.last().locality, factories.locality())  # a draft
    draft_party = Party.objects.exclude(agreement=agreement).first()
    response = admin_client.post(
        f"/admin/agreements/party/{draft_party.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Party.objects.filter(pk=draft_party.pk).exists()


def test_a_signer_of_a_published_agreement_keeps_its_role_on_the_party_page(admin_client):
    agreement = factories.agreement(published=True)
    party = agreement.parties.first()
    response = admin_client.post(
        f"/admin/agreements/party/{party.pk}/change/",
        {
            **party_row(party.locality, role=PartyRole.COORDINATOR),
            "agreement": str(agreement.pk),
        },
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["role"]
    party.refresh_from_db()
    assert party.role == PartyRole.PARTY


# --- Activities ------------------------------------------------------------------------------


@pytest.fixture
def twinning(communes):
    """An agreement between Ia Dơk and An Nhơn Bắc, and a village of Ia Dơk."""
    ia_dok, an_nhon_bac = communes
    return SimpleNamespace(
        agreement=factories.agreement(ia_dok, an_nhon_bac),
        ia_dok=ia_dok,
        an_nhon_bac=an_nhon_bac,
        village=factories.locality("Làng Ghè", kind=LocalityKind.VILLAGE, parent=ia_dok),
    )


def activity_post(agreement, giver, recipient, **fields):
    return {
        "agreement": str(agreement.pk),
        "event": "",
        "activity_type": str(ActivityType.objects.get(slug="tien-mat").pk),
        "status": "delivered",
        "giver": str(giver.pk) if giver else "",
        "recipient": str(recipient.pk) if recipient else "",
        "recipient_detail": "",
        "funder": "",
        "starts_on": "27/12/2025",
        "ends_on": "",
        "date_precision": "day",
        "quantity": "",
        "quantity_qualifier": "exact",
        "value_vnd": "30.000.000",
        "value_qualifier": "exact",
        "beneficiaries": "",
        "description": "",
        "source": "",
        **fields,
    }


def test_activity_value_typed_with_dots_is_saved(admin_client, twinning):
    response = admin_client.post(
        "/admin/activities/activity/add/",
        activity_post(twinning.agreement, twinning.an_nhon_bac, twinning.village),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.value_vnd == 30_000_000
    assert activity.recipient == twinning.village
    listing = admin_client.get("/admin/activities/activity/").content.decode()
    assert "30.000.000\N{NO-BREAK SPACE}đ" in listing


def test_activity_list_shows_qualified_figures(admin_client, twinning):
    factories.activity(twinning.agreement, value_vnd=500_000_000, value_qualifier="over")
    factories.activity(
        twinning.agreement,
        type_slug="ngay-cong",
        quantity=Decimal(15000),
        quantity_qualifier="nearly",
    )
    listing = admin_client.get("/admin/activities/activity/").content.decode()
    assert "hơn\xa0500.000.000\N{NO-BREAK SPACE}đ" in listing
    assert "gần\xa015.000\xa0ngày công" in listing


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Số tiền không thể âm: hãy viết không có dấu trừ, ví dụ 30.000.000."),
        ("abc", "Hãy nhập số tiền bằng đồng, ví dụ 30.000.000."),
        ("30.000,5", "Hãy nhập số tiền bằng đồng, ví dụ 30.000.000."),
    ],
)
def test_activity_value_that_is_not_an_amount_is_refused_at_the_field(
    admin_client, twinning, typed, message
):
    response = admin_client.post(
        "/admin/activities/activity/add/",
        activity_post(twinning.agreement, twinning.an_nhon_bac, twinning.village, value_vnd=typed),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["value_vnd"]
    assert errors["value_vnd"] == [message]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Hãy nhập một số, ví dụ 1.700 hoặc 7,5."),
        ("7,555", "Hãy chắc chắn rằng không có nhiều hơn 2 chữ số thập phân."),
    ],
)
def test_a_refused_quantity_gets_one_message_not_two(admin_client, twinning, typed, message):
    data = activity_post(
        twinning.agreement, twinning.an_nhon_bac, twinning.village, value_vnd="", quantity=typed
    )
    response = admin_client.post("/admin/activities/activity/add/", data)
    errors = response.context["adminform"].form.errors
    assert errors == {"quantity": [message]}


def test_activity_quantity_is_typed_with_the_languages_separators(admin_client, twinning):
    data = activity_post(
        twinning.agreement, twinning.an_nhon_bac, twinning.village, value_vnd="", quantity="1.700"
    )
    data["activity_type"] = str(ActivityType.objects.get(slug="quan-ao").pk)
    assert admin_client.post("/admin/activities/activity/add/", data).status_code == 302
    assert Activity.objects.get().quantity == Decimal(1700)
    data["quantity"] = "-5"
    response = admin_client.post("/admin/activities/activity/add/", data)
    assert list(response.context["adminform"].form.errors) == ["quantity"]


def test_activity_without_any_figure_is_refused_at_the_field(admin_client, twinning):
    response = admin_client.post(
        "/admin/activities/activity/add/",
        activity_post(twinning.agreement, twinning.an_nhon_bac, twinning.village, value_vnd=""),
    )
    assert response.context["adminform"].form.errors == {
        "quantity": [constraint_message(Activity, "activities_activity_has_figure")]
    }


def test_activity_giver_outside_the_agreement_is_refused_at_the_field(admin_client, twinning):
    stranger = factories.locality("Xã Ia Grai 2")
    response = admin_client.post(
        "/admin/activities/activity/add/",
        activity_post(twinning.agreement, stranger, twinning.village),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["giver"]
    assert errors["giver"] == [
        gettext(
            "%(locality)s is not a party to “%(agreement)s”, nor a village or unit "
            "within one of its parties."
        )
        % {"locality": stranger, "agreement": twinning.agreement}
    ]
    assert not Activity.objects.exists()


def test_activity_recipient_may_lie_three_levels_below_a_party(admin_client, twinning):
    group = factories.locality("Nhóm hộ", kind=LocalityKind.VILLAGE, parent=twinning.village)
    family = factories.locality("Hộ gia đình", kind=LocalityKind.AGENCY, parent=group)
    too_deep = factories.locality("Quá sâu", kind=LocalityKind.AGENCY, parent=family)
    url = "/admin/activities/activity/add/"
    response = admin_client.post(
        url, activity_post(twinning.agreement, twinning.an_nhon_bac, family)
    )
    assert response.status_code == 302
    response = admin_client.post(
        url, activity_post(twinning.agreement, twinning.an_nhon_bac, too_deep)
    )
    assert list(response.context["adminform"].form.errors) == ["recipient"]


def test_activity_giver_and_recipient_must_differ(admin_client, twinning):
    response = admin_client.post(
        "/admin/activities/activity/add/",
        activity_post(twinning.agreement, twinning.ia_dok, twinning.ia_dok),
    )
    assert response.context["adminform"].form.errors["recipient"] == [
        constraint_message(Activity, "activities_activity_giver_not_recipient")
    ]


def test_activity_event_of_another_agreement_is_refused(admin_client, twinning):
    other = factories.agreement()
    event = Event.objects.create(agreement=other, kind="visit", title="Thăm", held_on="2025-1-1")
    response = admin_client.post(
        "/admin/activities/activity/add/",
        activity_post(
            twinning.agreement, twinning.an_nhon_bac, twinning.village, event=str(event.pk)
        ),
    )
    assert list(response.context["adminform"].form.errors) == ["event"]


# --- Localities ------------------------------------------------------------------------------


def locality_post(**fields):
    return {
        "name": "Làng Ghè",
        "kind": LocalityKind.VILLAGE,
        "parent": "",
        "code": "",
        "established_on": "",
        "dissolved_on": "",
        "latitude": "",
        "longitude": "",
        "slug": "",
        "note": "",
        "succeeded_by-TOTAL_FORMS": "0",
        "succeeded_by-INITIAL_FORMS": "0",
        "succeeded_by-MIN_NUM_FORMS": "0",
        "succeeded_by-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_locality_slug_is_made_from_the_name_and_kept_unique(admin_client, communes):
    ia_dok, an_nhon_bac = communes
    url = "/admin/localities/locality/add/"
    assert admin_client.post(url, locality_post(parent=str(ia_dok.pk))).status_code == 302
    assert admin_client.post(url, locality_post(parent=str(an_nhon_bac.pk))).status_code == 302
    slugs = set(Locality.objects.filter(name="Làng Ghè").values_list("slug", flat=True))
    assert slugs == {"lang-ghe", "lang-ghe-phuong-an-nhon-bac"}


def test_locality_cannot_lie_within_itself(admin_client, communes):
    ia_dok, _ = communes
    village = factories.locality("Làng Ghè", kind=LocalityKind.VILLAGE, parent=ia_dok)
    data = locality_post(name="Xã Ia Dơk", kind="commune", slug=ia_dok.slug, code="23869")
    data["parent"] = str(village.pk)
    response = admin_client.post(f"/admin/localities/locality/{ia_dok.pk}/change/", data)
    assert list(response.context["adminform"].form.errors) == ["parent"]


def test_locality_dates_and_coordinates_are_checked_at_the_field(admin_client):
    response = admin_client.post(
        "/admin/localities/locality/add/",
        locality_post(
            established_on="01/07/2025", dissolved_on="30/06/2025", latitude="95", longitude="108"
        ),
    )
    errors = response.context["adminform"].form.errors
    assert errors["dissolved_on"] == [
        constraint_message(Locality, "localities_dissolved_after_established")
    ]
    assert errors["latitude"] == [constraint_message(Locality, "localities_latitude_range")]
    assert set(errors) == {"dissolved_on", "latitude"}


def test_a_refused_form_says_so_in_vietnamese(admin_client):
    response = admin_client.post(
        "/admin/localities/locality/add/", locality_post(name="", kind="commune")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Hãy sửa các lỗi dưới đây." in content
    assert "Please correct" not in content
    assert "Trường này là bắt buộc." in content


def test_autocomplete_tells_namesakes_apart_and_ranks_whole_names_first(admin_client):
    tay_ninh = factories.locality("Tỉnh Tây Ninh", kind=LocalityKind.PROVINCE)
    lam_dong = factories.locality("Tỉnh Lâm Đồng", kind=LocalityKind.PROVINCE)
    for province in (tay_ninh, lam_dong):
        factories.locality("Xã Tân Thành", parent=province, slug=f"xa-tan-thanh-{province.pk}")
    factories.locality("Phường An Phước", kind=LocalityKind.WARD)
    factories.locality("Phường An Phú", kind=LocalityKind.WARD)
    factories.locality(
        "Thành phố Pleiku", kind=LocalityKind.DISTRICT, dissolved_on=datetime.date(2025, 7, 1)
    )

    def labels(term):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "agreements",
                "model_name": "party",
                "field_name": "locality",
                "term": term,
            },
        )
        return [r["text"] for r in response.json()["results"]]

    assert labels("tan thanh") == [
        "Xã Tân Thành – Tỉnh Lâm Đồng",
        "Xã Tân Thành – Tỉnh Tây Ninh",
    ]
    assert labels("an phu")[0] == "Phường An Phú"
    assert labels("pleiku") == ["Thành phố Pleiku (đã giải thể)"]


def test_an_activity_s_giver_and_recipient_are_offered_among_its_agreement_s_parties(
    admin_client,
):
    """Issue 16: the giver and recipient fields offered every locality of the country."""
    ia_dok = factories.locality("Xã Ia Dơk")
    factories.locality("Làng Ghè", kind=LocalityKind.VILLAGE, parent=ia_dok)
    division = factories.locality("Sư đoàn 320", kind=LocalityKind.MILITARY_UNIT)
    factories.locality("Xã Ia Grai")
    factories.locality("Làng Khác", kind=LocalityKind.VILLAGE, parent=factories.locality())
    agreement = factories.agreement(ia_dok, division)

    def offered(field_name, **extra):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "activities",
                "model_name": "activity",
                "field_name": field_name,
                "term": "",
                **extra,
            },
        )
        assert response.status_code == 200
        return {r["text"].split(" – ")[0] for r in response.json()["results"]}

    parties = {"Xã Ia Dơk", "Làng Ghè", "Sư đoàn 320"}
    for field_name in ("giver", "recipient"):
        assert offered(field_name, agreement=agreement.pk) == parties
        # Before an agreement is chosen (or with junk), every unit is offered.
        assert offered(field_name) > parties | {"Xã Ia Grai", "Làng Khác"}
        assert offered(field_name, agreement="x") == offered(field_name)
    # Another model's field pointing to localities is not narrowed.
    assert "Xã Ia Grai" in offered("locality", model_name="party", app_label="agreements")
    # The form loads the script that sends the agreement with each search.
    page = admin_client.get("/admin/activities/activity/add/").content.decode()
    assert "ketnghia/agreement-parties" in page


@pytest.mark.parametrize("count", [5, 50])
def test_autocomplete_queries_do_not_grow(admin_client, django_assert_max_num_queries, count):
    province = factories.locality("Tỉnh Gia Lai", kind=LocalityKind.PROVINCE)
    for _ in range(count):
        factories.locality(parent=province)
    with django_assert_max_num_queries(6):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "agreements",
                "model_name": "party",
                "field_name": "locality",
                "term": "xa",
            },
        )
    assert len(response.json()["results"]) == min(count, 20)


def test_the_activity_list_searches_its_filters_rather_than_listing_every_unit(admin_client):
    """Issue 16: at national scale the list's sidebar listed every giver, recipient and
    agreement (3.7 MB): they are searched now, as in the form."""
    giver = factories.locality("Sư đoàn 320", kind=LocalityKind.MILITARY_UNIT)
    ia_dok = factories.locality("Xã Ia Dơk")
    agreement = factories.agreement(ia_dok, giver, title="Giao ước Sư đoàn – Ia Dơk")
    factories.activity(agreement, giver=giver, starts_on=datetime.date(2019, 5, 1))
    factories.activity(agreement, recipient=ia_dok, starts_on=datetime.date(2025, 5, 1))
    others = [factories.locality(f"Xã Không Liên Quan {n}") for n in range(5)]
    for other in others:
        factories.activity(factories.agreement(other, ia_dok), giver=other)
    url = "/admin/activities/activity/"

    page = admin_client.get(url).content.decode()
    sidebar = page.split('id="changelist-filter"', 1)[1].split("</nav>", 1)[0]
    assert any(other.name in page for other in others)  # in the rows
    assert not any(other.name in sidebar for other in others)  # not offered in the filters
    for param in ("agreement__id__exact", "giver__id__exact", "recipient__id__exact"):
        assert f'data-filter-param="{param}"' in sidebar
    assert "select2" in page
    # After django.jQuery exists (jquery.init.js), or the filters do nothing.
    assert page.index("admin/js/jquery.init.js") < page.index("ketnghia/autocomplete-filter")
    # The years, from the latest back to the earliest, without a pass over every activity.
    years = re.findall(r"\?year=(\d{4})", page)
    assert years[:7] == [str(year) for year in range(2025, 2018, -1)]

    response = admin_client.get(url, {"giver__id__exact": giver.pk})
    assert response.context["cl"].result_count == 1
    chosen = unescape(response.content.decode())
    assert f'<option value="{giver.pk}" selected>Sư đoàn 320</option>' in chosen
    response = admin_client.get(url, {"giver__id__exact": others[0].pk})
    assert response.context["cl"].result_count == 1
    assert admin_client.get(url, {"giver__id__exact": "x"}).status_code in (200, 302)


@pytest.mark.parametrize("ids_up_to", [admin_search.IDS_UP_TO, 1])
def test_activities_are_searched_by_the_names_of_their_units_agreement_and_funder(
    admin_client, monkeypatch, ids_up_to
):
    """Issue 16: the search read every activity with its four joined rows (6 s at national
    scale); the units, agreements and funders named are found first, in their own tables, and
    the activities by their ids (a subquery when the words are common: ids_up_to=1)."""
    monkeypatch.setattr(admin_search, "IDS_UP_TO", ids_up_to)
    ia_dok = factories.locality("Xã Ia Dơk")
    brigade = factories.locality("Lữ đoàn 234", kind=LocalityKind.MILITARY_UNIT)
    other = factories.locality("Phường An Phú")
    ours = factories.agreement(ia_dok, brigade, title="Giao ước Lữ đoàn 234 – Ia Dơk")
    theirs = factories.agreement(other, title="Giao ước An Phú")
    company = factories.funder("Công ty Cà phê Đăk Lăk")
    given = factories.activity(ours, giver=brigade, recipient=ia_dok, description="Xây nhà")
    paid = factories.activity(theirs, giver=other, funder=company, description="Tặng quà")
    detailed = factories.activity(theirs, giver=other, recipient_detail="Hộ nghèo thôn Ia Dơk")
    described = factories.activity(theirs, giver=other, description="Xi măng cho điểm trường")
    url = "/admin/activities/activity/"

    def found(term):
        response = admin_client.get(url, {"q": term})
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert found("ia dok") == {given, detailed}  # recipient, agreement; recipients in detail
    assert found("IA DƠK") == found("ia dok")
    assert found("lu doan 234") == {given}  # the giver and the agreement, listed once
    assert found("dak lak") == {paid}  # the funder
    assert found("xi mang") == {described}  # the description, diacritics aside
    assert found("dok ia") == found("ia dok")  # the words in any order
    assert found("an phu") == {paid, detailed, described}  # the giver's name and the title
    # The words together in one text: a name as typed, which an index answers even when each
    # word is common; not spread over the giver's name and the description.
    assert found("an phu xi") == set()
    assert found("khong co") == set()
    # One query per table named (units, agreements, funders), however many words, activities,
    # units or agreements there are.
    factories.activity(ours, giver=brigade, recipient=ia_dok)
    with CaptureQueriesContext(connection) as few:
        assert len(found("ia dok")) == 3
    for n in range(3):
        unit = factories.locality(f"Xã Ia Dơk {n}")
        factories.activity(factories.agreement(unit), giver=unit)
    with CaptureQueriesContext(connection) as many:
        assert len(found("ia dok")) == 6
    assert len(many) == len(few)


def test_the_searched_keys_have_trigram_indexes():
    """On PostgreSQL, the keys the admin's search looks words up inside have trigram indexes
    (activities 0023), which a search of national data reads instead of every row (a plan
    over a test's few rows proves nothing: the planner reads them whole). Elsewhere the same
    lookups read the rows and find the same."""
    ia_dok = factories.locality("Xã Ia Dơk")
    agreement = factories.agreement(ia_dok, title="Giao ước Ia Dơk")
    factories.activity(
        agreement,
        description="Xi măng",
        recipient_detail="Hộ nghèo",
        funder=factories.funder("Công ty Cà phê Đăk Lăk"),
    )
    lookups = [
        (Locality.objects.filter(search_key__contains="dok"), "localities_name_trigrams"),
        (Agreement.objects.filter(search_key__contains="dok"), "agreements_title_trigrams"),
        (Funder.objects.filter(search_key__contains="lak"), "activities_funder_name_trigrams"),
        (Activity.objects.filter(search_key__contains="xi mang"), "activities_search_trigrams"),
        (Activity.objects.filter(search_key__contains="ho ngheo"), "activities_search_trigrams"),
    ]
    for queryset, _index in lookups:
        assert queryset.count() == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes")
            indexes = {name: (table, definition) for table, name, definition in cursor.fetchall()}
        for queryset, index in lookups:
            table, definition = indexes[index]
            assert table == queryset.model._meta.db_table
            assert "USING gin (search_key gin_trgm_ops)" in definition


def test_a_list_does_not_list_every_model_the_account_may_see(admin_client, monkeypatch):
    """The site's context named every model with a permission check each, on every admin page,
    for the navigation sidebar alone, which is off: only the index lists them now."""
    built = []
    get_app_list = SiteAdmin.get_app_list

    def counted(self, request, app_label=None):
        built.append(app_label)
        return get_app_list(self, request, app_label)

    monkeypatch.setattr(SiteAdmin, "get_app_list", counted)
    # The same context as Django's own (SiteAdmin.each_context is a copy of it).
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(is_superuser=True)
    ours = set(admin.site.each_context(request)) - {"inbox_unread"}  # the inbox's badge
    assert ours == set(AdminSite.each_context(admin.site, request))
    built.clear()
    response = admin_client.get("/admin/activities/activity/")
    assert response.status_code == 200 and built == []
    assert set(response.context["available_apps"][0]) >= {"name", "models"}  # still there
    assert built == [None]
    index = admin_client.get("/admin/").content.decode()
    assert "/admin/activities/activity/" in index


def test_the_agreement_list_offers_signing_years_newest_first_from_two_reads(admin_client):
    """The signing years ran a pass over every agreement (DISTINCT over 20,000 at national
    scale): the latest and the earliest are read from the dates' index, the years between
    offered, newest first, then the undated ones."""
    for year in (2006, 2009):
        factories.agreement(signed_on=datetime.date(year, 5, 1))
    factories.agreement(signed_on=None)
    url = "/admin/agreements/agreement/"
    page = admin_client.get(url).content.decode()
    assert re.findall(r"\?signed=(\w+)", page) == ["2009", "2008", "2007", "2006", "none"]
    assert admin_client.get(url, {"signed": "2009"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"signed": "none"}).context["cl"].result_count == 1
    assert admin_client.get(url).context["cl"].list_per_page == 50
    # A mistyped year does not offer every year since: the years that occur then.
    factories.agreement(signed_on=datetime.date(205, 5, 1))
    page = admin_client.get(url).content.decode()
    assert re.findall(r"\?signed=(\w+)", page) == ["2009", "2006", "205", "none"]


@pytest.mark.parametrize("ids_up_to", [admin_search.IDS_UP_TO, 2])
def test_a_searched_activity_list_reads_its_page_of_ids_then_the_rows(
    admin_client, monkeypatch, ids_up_to
):
    """Issue 16: a search's page is the ids in the list's order first (read from the date
    index alone on PostgreSQL: activities 0040), then those rows with their columns; the
    activities' own descriptions are looked up by id as the units' names are, and by their
    words in the list past IDS_UP_TO of them (ids_up_to=2)."""
    monkeypatch.setattr(admin_search, "IDS_UP_TO", ids_up_to)
    monkeypatch.setattr(admin.site._registry[Activity], "list_per_page", 2)
    agreement = factories.agreement()
    gifts = [
        factories.activity(
            agreement, description=f"Tặng quà lần {n}", starts_on=datetime.date(2025, 1, 1 + n % 2)
        )
        for n in range(5)
    ]
    factories.activity(agreement, description="Sửa nhà", starts_on=datetime.date(2025, 2, 1))
    newest_first = sorted(gifts, key=lambda gift: (gift.starts_on, gift.pk), reverse=True)
    url = "/admin/activities/activity/"
    pages = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, {"q": "tang qua", "p": number})
        assert response.status_code == 200
        pages.append(response.context["cl"].result_list)
        listed = [q["sql"] for q in queries if 'FROM "activities_activity"' in q["sql"]]
        rows = [sql for sql in listed if '"activities_activity"."description"' in sql]
        ordered = 'ORDER BY "activities_activity"."starts_on" DESC'
        ids = [sql for sql in listed if ordered in sql and sql not in rows]
        assert len(ids) == 1 and " LIMIT " in ids[0]  # the page only
        if connection.vendor == "postgresql" and ids_up_to >= len(gifts):
            # The ids as one array of the column's type, which PostgreSQL hashes (an array
            # of smaller integers is searched one element after the other for every row).
            assert '"activities_activity"."id" = ANY(' in ids[0] and "::bigint[])" in ids[0]
        assert len(rows) == 1 and '"activities_activity"."id" IN (' in rows[0]
    assert [row for page in pages for row in page] == newest_first
    assert pages[0][0].agreement.title  # the columns' rows came with it
    assert 'href="/admin/activities/activity/' in response.content.decode()


def test_a_long_list_is_counted_up_to_a_bound_then_estimated(admin_client, monkeypatch):
    """Past ESTIMATE_FROM rows, PostgreSQL's estimate rather than a count of every row, and
    the list says so; a short list (or any list on SQLite) is counted exactly."""
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 3)
    agreement = factories.agreement()
    first, *_ = [factories.activity(agreement) for _ in range(5)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE activities_activity")
    whole = admin_lists.EstimatedCountPaginator(Activity.objects.all(), 2)
    one = admin_lists.EstimatedCountPaginator(Activity.objects.filter(pk=first.pk), 2)
    assert (one.count, one.estimated) == (1, False)
    response = admin_client.get("/admin/activities/activity/")
    cl = response.context["cl"]
    if connection.vendor == "postgresql":
        with CaptureQueriesContext(connection) as queries:
            assert whole.count >= 3 and whole.estimated
        assert len(queries) == 1  # the planner's estimate: no row read to count them
        assert cl.paginator.estimated
        content = response.content.decode()
        assert f"khoảng {cl.result_count}" in content or f"about {cl.result_count}" in content
    else:
        assert (whole.count, whole.estimated) == (5, False)
        assert (cl.result_count, cl.paginator.estimated) == (5, False)


def test_a_searched_list_is_counted_once_until_the_data_changes(admin_client, settings):
    """With the pages kept (a shared cache), a list's count, the years it spans and the rows a
    search looks up are kept too, under the data's generation: paging through a search counts
    it once, and an activity or an agreement added, changed or deleted is counted at once."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    agreement = factories.agreement()
    for n in range(3):
        factories.activity(agreement, description=f"Tặng quà lần {n}")
    url = "/admin/activities/activity/"

    def counted():
        with CaptureQueriesContext(connection) as queries:
            cl = admin_client.get(url, {"q": "tang qua"}).context["cl"]
        sql = [q["sql"] for q in queries if '"activities_activity"' in q["sql"]]
        return cl.result_count, sum("COUNT(" in text or "MIN(" in text for text in sql)

    assert counted() == (3, 2)  # the count and the years spanned
    assert counted() == (3, 0)
    added = factories.activity(agreement, description="Tặng quà lần cuối")
    assert counted() == (4, 2)
    added.description = "Sửa nhà"
    added.save()
    assert counted() == (3, 2)
    Activity.objects.filter(description__startswith="Tặng").first().delete()
    assert counted() == (2, 2)
    # The rows of the tables a search looks up by name (agreements, localities, funders) are
    # kept too: an agreement renamed is found at once, with every one of its activities.
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(url, {"q": "tang qua"})
    assert not [q for q in queries if '"agreements_agreement"."search_key"' in q["sql"]]
    agreement.title = "Tặng quà Tết"
    agreement.save()
    assert counted() == (3, 2)
    settings.PAGE_CACHE_SECONDS = 0  # without a shared cache: counted every time
    assert counted() == (3, 2)
    assert counted() == (3, 2)
    cache.clear()


def test_a_search_that_finds_nothing_shows_an_empty_list_with_the_pages_kept(
    admin_client, settings
):
    """Words no row holds, in no table a list searches: every searched list answers with no
    row, not an error, when its count is kept (the shared cache on, as in production): the
    ids looked up are none, and the list's query is known empty before it is written."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    factories.activity(factories.agreement(), description="Tặng quà")
    searched = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model_admin.get_search_fields(None)
    ]
    assert Activity in dict(searched) and len(searched) >= 5
    for model, _model_admin in searched:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for _ in range(2):  # counted, then kept
            response = admin_client.get(url, {"q": "zzqqxx khongco"})
            assert response.status_code == 200, url
            assert response.context["cl"].result_count == 0, url
            assert list(response.context["cl"].result_list) == [], url
    cache.clear()


def test_a_whole_lists_length_is_asked_once_until_the_data_changes(admin_client, settings):
    """The length of a whole list (the planner's estimate on PostgreSQL, a count elsewhere)
    is kept as a search's count is: asked again after an activity is added."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    agreement = factories.agreement()
    factories.activity(agreement)

    def asked():
        with CaptureQueriesContext(connection) as queries:
            cl = admin_client.get("/admin/activities/activity/").context["cl"]
        sql = [q["sql"] for q in queries if '"activities_activity"' in q["sql"]]
        return cl.result_count, sum(("EXPLAIN" in text or "COUNT(" in text) for text in sql)

    first, questions = asked()
    assert first >= 1 and questions >= 1
    assert asked() == (first, 0)
    factories.activity(agreement)
    assert asked()[1] >= 1
    cache.clear()


def test_a_lists_activity_types_are_kept_until_one_changes(admin_client, settings):
    """The activity types a list's filter offers are read once, then kept until the data
    changes: a type renamed is offered by its new name at once, in each language."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    factories.activity(factories.agreement())
    url = "/admin/activities/activity/"

    def offered(prefix=""):
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(prefix + url).content.decode()
        read = sum('FROM "activities_activitytype"' in q["sql"] for q in queries)
        names = re.findall(r'activity_type__id__exact=\d+"[^>]*>([^<]+)<', page)
        return names, read

    names, read = offered()
    assert "Hỗ trợ tiền" in names and read == 1
    assert offered() == (names, 0)
    kind = ActivityType.objects.get(slug="tien-mat")
    kind.name, kind.name_en = "Tiền hỗ trợ", "Cash support"
    kind.save()
    names, read = offered()
    assert "Tiền hỗ trợ" in names and "Hỗ trợ tiền" not in names and read == 1
    assert "Cash support" in offered("/en")[0]
    cache.clear()


def test_a_long_search_says_more_than_the_bound_rather_than_a_guess(admin_client, monkeypatch):
    """A list searched or filtered past ESTIMATE_FROM rows is "more than" the bound, its pages
    those of the rows counted: the planner's estimate of a search may be off by half (issue
    16: a search of a commune's name counted nine thousand activities on every page)."""
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 3)
    agreement = factories.agreement()
    gifts = [factories.activity(agreement, description=f"Tặng quà lần {n}") for n in range(5)]
    url = "/admin/activities/activity/"
    response = admin_client.get(url, {"q": "tang qua"})
    cl = response.context["cl"]
    content = response.content.decode()
    if connection.vendor == "postgresql":
        assert (cl.result_count, cl.paginator.capped, cl.paginator.estimated) == (3, True, False)
        assert "hơn 3 kết quả" in content and "hơn 3 hoạt động" in content
    else:
        assert (cl.result_count, cl.paginator.capped) == (5, False)
        assert "5 kết quả" in content
    # As many rows as the bound are counted exactly: "more than" only past it.
    for gift in gifts[3:]:
        gift.delete()
    three = admin_client.get(url, {"q": "tang qua"}).context["cl"]
    assert (three.result_count, three.paginator.capped) == (3, False)
    # The search icon's text is in the page's language, not Django's English "Search".
    assert 'alt="Tìm kiếm"' in content and 'alt="Search"' not in content


def test_the_activity_form_knows_each_types_unit_for_the_quantity(admin_client):
    """Issue 16: a quantity had no unit beside it (activity-unit.js shows the chosen type's)."""
    page = admin_client.get("/admin/activities/activity/add/")
    html = page.content.decode()
    select = re.search(r'<select name="activity_type"[^>]*data-units="([^"]*)"', html)
    units = json.loads(unescape(select.group(1)))
    clothes = ActivityType.objects.get(slug="quan-ao")
    assert units[str(clothes.pk)] == clothes.unit == "bộ"
    assert set(units) == {str(pk) for pk in ActivityType.objects.values_list("pk", flat=True)}
    assert 'src="/static/ketnghia/activity-unit.js"' in html


def test_permission_names_are_in_vietnamese_on_the_role_page(admin_client):
    """Issue 16: permission names were half English ("Can add agreement")."""
    editors = Group.objects.get(name="Cán bộ nhập liệu")
    page = admin_client.get(f"/admin/auth/group/{editors.pk}/change/").content.decode()
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", page)
    assert len(options) > 50
    assert not [option for option in options if "Can " in option]
    assert "Giao ước kết nghĩa | giao ước | Có thể thêm giao ước" in options
    assert any(option.endswith("Có thể công bố và hủy công bố giao ước") for option in options)

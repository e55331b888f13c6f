"""Roles, and publishing: a reviewer publishes and unpublishes, an editor cannot, and the
publication log records who did it and when."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from agreements.models import AgreementStatus, Publication, PublicationAction
from agreements.services import delete_agreement, publish_agreement, unpublish_agreement
from tests import factories
from tests.constraints import assert_rejected

pytestmark = pytest.mark.django_db

ADMINISTRATOR, EDITOR, REVIEWER, LEADER = (
    "Quản trị tỉnh",
    "Cán bộ nhập liệu",
    "Người duyệt đăng",
    "Lãnh đạo",
)
REFUSED = "Only a reviewer may publish or unpublish agreements: ask one to check this one."
CHANGELIST = "/admin/agreements/agreement/"


@pytest.fixture
def staff(django_user_model):
    """A staff account of the province (not limited to localities) in the named role's group."""

    def make(role, **names):
        user = django_user_model.objects.create_user(
            f"canbo-{django_user_model.objects.count()}",
            password="mat-khau-thu-nghiem-9",
            is_staff=True,
            **names,
        )
        user.groups.add(Group.objects.get(name=role))
        user.user_permissions.add(Permission.objects.get(codename="whole_province"))
        return user

    return make


def logged_in(client, user):
    client.force_login(user)
    return client


def action(client, name, *agreements):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [str(a.pk) for a in agreements], "post": "yes"},
        follow=True,
    )


# --- The services ----------------------------------------------------------------------------


def test_an_editor_cannot_publish_and_nothing_changes(staff):
    editor = staff(EDITOR)
    agreement = factories.agreement()
    with pytest.raises(PermissionDenied) as excinfo:
        publish_agreement(agreement, actor=editor)
    assert str(excinfo.value) == gettext(REFUSED)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.published_at is None
    assert not Publication.objects.exists()


def test_a_reviewer_publishes_and_the_log_says_who_and_when(staff):
    reviewer = staff(REVIEWER)
    agreement = publish_agreement(factories.agreement(), actor=reviewer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.PUBLISHED
    entry = Publication.objects.get()
    assert (entry.agreement, entry.action, entry.actor) == (
        agreement,
        PublicationAction.PUBLISHED,
        reviewer,
    )
    assert entry.at == agreement.published_at


def test_publishing_a_published_agreement_again_logs_nothing(staff):
    reviewer = staff(REVIEWER)
    agreement = publish_agreement(factories.agreement(), actor=reviewer)
    publish_agreement(agreement, actor=reviewer)
    assert Publication.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"signed_on": None}, "it needs a signing date"),
        ({"one_party": True}, "it needs at least two twinning parties"),
    ],
)
def test_a_reviewer_cannot_publish_an_incomplete_agreement(staff, fields, reason):
    reviewer = staff(REVIEWER)
    if fields.pop("one_party", False):
        agreement = factories.agreement(factories.locality(), title="Giao ước thiếu bên")
    else:
        agreement = factories.agreement(title="Giao ước thiếu bên", **fields)
    with pytest.raises(ValidationError) as excinfo:
        publish_agreement(agreement, actor=reviewer)
    [message] = excinfo.value.messages
    assert message.startswith(
        gettext("“%(agreement)s” cannot be published: %(problems)s.").split("%")[0]
    )
    assert "Giao ước thiếu bên" in message
    assert gettext(reason) in message
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert not Publication.objects.exists()


def test_an_editor_cannot_unpublish(staff):
    agreement = factories.agreement(published=True)
    with pytest.raises(PermissionDenied):
        unpublish_agreement(agreement, actor=staff(EDITOR))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.PUBLISHED
    assert Publication.objects.filter(action=PublicationAction.UNPUBLISHED).count() == 0


def test_a_reviewer_unpublishes_and_the_log_says_who(staff):
    reviewer = staff(REVIEWER)
    agreement = factories.agreement(published=True)
    unpublish_agreement(agreement, actor=reviewer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.published_at is None
    latest = agreement.publications.first()
    assert (latest.action, latest.actor) == (PublicationAction.UNPUBLISHED, reviewer)
    # the factory published it as a system job: that row has no person
    assert agreement.publications.last().actor is None
    assert agreement.publications.count() == 2


def test_leaders_and_anonymous_users_cannot_publish(staff, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    agreement = factories.agreement()
    for actor in (staff(LEADER), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            publish_agreement(agreement, actor=actor)
    assert not Publication.objects.exists()


def test_deleting_a_published_agreement_needs_the_permission_to_unpublish(staff):
    agreement = factories.agreement(published=True)
    with pytest.raises(PermissionDenied):
        delete_agreement(agreement, actor=staff(EDITOR))
    assert agreement.publications.count() == 1
    delete_agreement(agreement, actor=staff(ADMINISTRATOR))
    assert not Publication.objects.exists()  # the log went with its agreement


# --- The admin -------------------------------------------------------------------------------


def offered_actions(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    form = response.context["action_form"]  # None when no action is offered at all
    return {name for name, _ in form.fields["action"].choices} if form else set()


def test_the_publish_actions_are_offered_to_reviewers_only(client, staff):
    factories.agreement()
    assert {"publish", "unpublish"} <= offered_actions(logged_in(client, staff(REVIEWER)))
    assert {"publish", "unpublish"}.isdisjoint(offered_actions(logged_in(client, staff(EDITOR))))


def test_an_editor_posting_the_publish_action_publishes_nothing(client, staff):
    agreement = factories.agreement()
    response = action(logged_in(client, staff(EDITOR)), "publish", agreement)
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert not Publication.objects.exists()
    published = factories.agreement(published=True)
    action(client, "unpublish", published)
    published.refresh_from_db()
    assert published.status == AgreementStatus.PUBLISHED


def test_a_reviewer_publishes_from_the_list_and_sees_who_on_the_page(client, staff):
    reviewer = staff(REVIEWER, first_name="Lê", last_name="Văn Duyệt")
    ready = factories.agreement(title="Giao ước đủ điều kiện")
    undated = factories.agreement(title="Giao ước chưa có ngày", signed_on=None)
    response = action(logged_in(client, reviewer), "publish", ready, undated)
    sent = [(m.level, str(m)) for m in get_messages(response.wsgi_request)]
    assert [level for level, _ in sent].count(message_levels.SUCCESS) == 1
    [error] = [text for level, text in sent if level == message_levels.ERROR]
    assert "Giao ước chưa có ngày" in error
    assert gettext("it needs a signing date") in error
    ready.refresh_from_db()
    undated.refresh_from_db()
    assert (ready.status, undated.status) == (AgreementStatus.PUBLISHED, AgreementStatus.DRAFT)
    assert Publication.objects.get().actor == reviewer

    page = client.get(f"{CHANGELIST}{ready.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    # "Published by Lê Văn Duyệt on …" (the page header names the user "Lê" only)
    assert (
        gettext("%(action)s by %(who)s on %(when)s")
        % {"action": gettext("Published"), "who": "Lê Văn Duyệt", "when": ""}
    ) in content
    assert f"/admin/agreements/publication/?agreement__id__exact={ready.pk}" in content

    response = action(client, "unpublish", ready)
    ready.refresh_from_db()
    assert ready.status == AgreementStatus.DRAFT
    assert ready.publications.first().action == PublicationAction.UNPUBLISHED


def test_an_account_that_may_not_publish_cannot_delete_a_published_agreement(client, staff):
    # A province may give an editor the right to delete; a published one still needs a reviewer.
    editor = staff(EDITOR)
    editor.user_permissions.add(Permission.objects.get(codename="delete_agreement"))
    published, draft = factories.agreement(published=True), factories.agreement()
    logged_in(client, editor)
    response = client.post(f"{CHANGELIST}{published.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert client.post(f"{CHANGELIST}{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not type(draft).objects.filter(pk=draft.pk).exists()
    assert type(published).objects.filter(pk=published.pk).exists()


def test_the_publication_log_is_read_only_in_the_admin(client, staff):
    reviewer = staff(REVIEWER, first_name="Lê", last_name="Văn Duyệt")
    agreement = publish_agreement(factories.agreement(title="Giao ước đã đăng"), actor=reviewer)
    entry = agreement.publications.get()
    publish_agreement(factories.agreement(title="Giao ước khác"), actor=reviewer)
    logged_in(client, reviewer)
    listing = client.get("/admin/agreements/publication/")
    assert listing.status_code == 200
    assert "Lê Văn Duyệt" in listing.content.decode()
    assert "Giao ước đã đăng" in listing.content.decode()
    filtered = client.get(
        "/admin/agreements/publication/", {"agreement__id__exact": str(agreement.pk)}
    )
    assert filtered.status_code == 200
    assert list(filtered.context["cl"].result_list) == [entry]
    assert listing.context["action_form"] is None  # not even "delete selected"
    url = f"/admin/agreements/publication/{entry.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"action": "unpublished"}).status_code == 403
    assert client.get("/admin/agreements/publication/add/").status_code == 403
    assert client.post(f"/admin/agreements/publication/{entry.pk}/delete/").status_code == 403
    entry.refresh_from_db()
    assert entry.action == PublicationAction.PUBLISHED


# --- The roles -------------------------------------------------------------------------------


def codenames(role):
    return set(
        Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    )


def views_of_the_three_apps():
    return set(
        Permission.objects.filter(
            content_type__app_label__in=["localities", "agreements", "activities"],
            codename__startswith="view_",
        ).values_list("content_type__app_label", "codename")
    )


def test_the_four_roles_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        ADMINISTRATOR,
        EDITOR,
        REVIEWER,
        LEADER,
    }


# Written reports (ketnghia 0005): every role reads them; the staff who keep the record write
# them; administrators and reviewers also delete them.
WRITE_REPORTS = {("ketnghia", f"{action}_writtenreport") for action in ("view", "add", "change")}


def test_leaders_only_read():
    assert codenames(LEADER) == views_of_the_three_apps() | {("ketnghia", "view_writtenreport")}


def test_reviewers_read_and_publish_and_answer_error_reports():
    assert codenames(REVIEWER) == views_of_the_three_apps() | {
        ("agreements", "publish_agreement"),
        ("activities", "approve_plan"),  # with the whole province in scope (activities.plans)
        ("activities", "convert_offer"),  # with the whole province in scope (activities.needs)
        # The merit register, kept in their scope (their saves need no review).
        *(
            ("activities", f"{action}_{model}")
            for action in ("add", "change", "delete")
            for model in ("award", "awardrecipient")
        ),
        ("ketnghia", "view_errorreport"),
        ("ketnghia", "change_errorreport"),
        *WRITE_REPORTS,
        ("ketnghia", "delete_writtenreport"),
    }


def test_editors_enter_and_correct_but_neither_publish_nor_delete_agreements():
    granted = codenames(EDITOR)
    assert views_of_the_three_apps() <= granted
    for app, codename in [
        ("agreements", "add_agreement"),
        ("agreements", "change_agreement"),
        ("agreements", "add_party"),
        ("agreements", "delete_party"),
        ("agreements", "add_event"),
        ("agreements", "add_photo"),
        ("agreements", "delete_photo"),
        ("agreements", "add_source"),
        ("agreements", "add_commitment"),
        ("agreements", "add_programme"),
        ("agreements", "add_legaldocument"),
        ("activities", "add_activity"),
        ("activities", "change_activity"),
        ("activities", "delete_activity"),
        ("localities", "add_locality"),
        ("localities", "change_locality"),
    ]:
        assert (app, codename) in granted, codename
    for app, codename in [
        ("agreements", "publish_agreement"),
        ("agreements", "delete_agreement"),
        ("localities", "delete_locality"),
        ("agreements", "change_commitmentarea"),
        ("activities", "change_activitytype"),
        ("agreements", "add_publication"),
    ]:
        assert (app, codename) not in granted, codename
    assert {app for app, _ in granted} == {"localities", "agreements", "activities", "ketnghia"}
    assert {(app, c) for app, c in granted if app == "ketnghia"} == WRITE_REPORTS


def test_province_administrators_do_everything_in_the_three_apps_but_rewrite_logs():
    granted = codenames(ADMINISTRATOR)
    assert ("agreements", "publish_agreement") in granted
    assert ("agreements", "delete_agreement") in granted
    assert ("activities", "change_activitytype") in granted
    assert ("localities", "delete_locality") in granted
    assert {("auth", "view_user"), ("auth", "view_group")} <= granted
    assert ("auth", "change_user") not in granted  # accounts are the superusers' job
    for codename in ("add_publication", "change_publication", "delete_publication"):
        assert ("agreements", codename) not in granted
    assert not {c for _, c in granted if c.split("_", 1)[1].startswith("historical")} - {
        c for _, c in granted if c.startswith("view_")
    }


def test_a_reviewer_and_a_leader_cannot_change_an_agreement(client, staff):
    agreement = factories.agreement()
    for role in (REVIEWER, LEADER):
        logged_in(client, staff(role))
        page = client.get(f"{CHANGELIST}{agreement.pk}/change/")
        assert page.status_code == 200  # read-only
        assert client.get(f"{CHANGELIST}add/").status_code == 403


def test_a_log_row_with_an_unknown_action_is_refused_everywhere():
    entry = Publication(agreement=factories.agreement(), action="bogus")
    assert_rejected(
        entry, "action", "Giá trị 'bogus' không phải là lựa chọn hợp lệ.", via_form=False
    )
    entry.action = PublicationAction.PUBLISHED
    entry.full_clean()  # an empty actor is a system job

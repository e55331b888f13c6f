"""The reminders of the twinning year (issue 12): a simulated year of a small world, day by day
with a frozen clock, produces exactly the expected reminders, each once, to exactly the staff in
scope; a second run produces none. Then the e-mails, the opt-outs, the digest, the inbox and the
work list."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import FollowUp, Meeting, MeetingKind, Plan, PlanItem, TargetKind
from activities.plans import approve
from activities.reports.cycle import (
    OccasionKind,
    add_months,
    cycle_summary,
    occasions,
    work_list,
)
from activities.reports.cycle import plan_due as due_of
from agreements.models import Agreement, CommitmentArea, Programme
from ketnghia import pagecache, reminders
from ketnghia.inbox import badges_changed
from ketnghia.models import Reminder, ReminderSettings
from localities.models import LocalityKind, StaffLocality, Succession
from localities.scopes import WHOLE, scope_of
from tests import factories

pytestmark = pytest.mark.django_db

YEAR = 2026


def day(month, day_of_month):
    return datetime.date(YEAR, month, day_of_month)


def account(name, group=None, remit=None, whole=False, email=True, **flags):
    email = f"{name}@example.org" if email else ""
    return factories.staff(name, group, remit, whole=whole, email=email, **flags)


@pytest.fixture
def world():
    """Province P: commune A (with its village), commune B. Three agreements:
    - `a`, the village of A with a unit, signed 10-3-2021 (5 years on 10-3-2026), meeting every
      six months, last met 1-12-2025 (next due 1-6-2026), a decision due 15-2-2026 never done,
      a programme ending 30-9-2026, its 2026 plan approved on 20-4-2026 (after the due date),
      nothing given (dormant from 2-12-2026);
    - `b`, commune B with an agency, signed 1-5-2019, last activity 1-6-2025 (dormant from
      2-6-2026), no plan;
    - `draft`, commune A with B, a draft since 5-1-2026, never published.
    """
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    commune_a = factories.locality("Xã A Thử", parent=province)
    village_a = factories.locality("Làng A Thử", kind=LocalityKind.VILLAGE, parent=commune_a)
    commune_b = factories.locality("Xã B Thử", parent=province)
    unit = factories.locality("Đồn Thử", kind=LocalityKind.MILITARY_UNIT)
    agency = factories.locality("Sở Thử", kind=LocalityKind.AGENCY)
    a = factories.agreement(
        village_a, unit, title="Làng A – Đồn", published=True, signed_on=datetime.date(2021, 3, 10)
    )
    Agreement.objects.filter(pk=a.pk).update(meeting_every=6)
    meeting = Meeting.objects.create(
        agreement=a, kind=MeetingKind.HALF_YEAR, held_on=datetime.date(2025, 12, 1)
    )
    follow_up = FollowUp.objects.create(
        meeting=meeting, decision="Sửa nhà văn hóa làng", owner=unit, due_on=day(2, 15)
    )
    programme = Programme.objects.create(
        agreement=a, name="Chương trình 2021–2026", starts_on=a.signed_on, ends_on=day(9, 30)
    )
    b = factories.agreement(
        commune_b, agency, title="Xã B – Sở", published=True, signed_on=datetime.date(2019, 5, 1)
    )
    factories.activity(b, starts_on=datetime.date(2025, 6, 1))
    draft = factories.agreement(commune_a, commune_b, title="Xã A – Xã B")
    Agreement.objects.filter(pk=draft.pk).update(
        created_at=datetime.datetime(YEAR, 1, 5, 3, 0, tzinfo=datetime.UTC)
    )
    users = {
        "editor_a": account("nhap-lieu-a", "Cán bộ nhập liệu", remit=commune_a),
        "leader_a": account("lanh-dao-a", "Lãnh đạo", remit=commune_a),
        "editor_b": account("nhap-lieu-b", "Cán bộ nhập liệu", remit=commune_b),
        "officer": account("can-bo-tinh", "Quản trị tỉnh"),
        "unit_editor": account("nhap-lieu-don", "Cán bộ nhập liệu", remit=unit, email=False),
        # No reminder: no role; a role but inactive; in charge of nothing.
        "no_role": account("khong-vai-tro", remit=commune_a),
        "inactive": account("nghi-viec", "Cán bộ nhập liệu", remit=commune_a, is_active=False),
        "nowhere": account("chua-phan-cong", "Cán bộ nhập liệu"),
    }
    return {
        "a": a,
        "b": b,
        "draft": draft,
        "follow_up": follow_up,
        "programme": programme,
        "users": users,
    }


def expected(world):
    """(account, key) of every reminder the year must produce, and the day it first appears."""
    a, b, draft = world["a"].pk, world["b"].pk, world["draft"].pk
    users = world["users"]
    of_a = {users["editor_a"], users["leader_a"], users["officer"], users["unit_editor"]}
    of_b = {users["editor_b"], users["officer"]}
    of_draft = {users["editor_a"], users["leader_a"], users["editor_b"], users["officer"]}
    follow_up, programme = world["follow_up"].pk, world["programme"].pk
    occasions_of = {
        # key: (accounts, first day)
        f"draft_waiting:agreement:{draft}": (of_draft, day(1, 12)),
        f"anniversary:{a}:5": (of_a, day(1, 9)),  # 60 days before 10-3
        f"follow_up_late:{follow_up}:{YEAR}-02-15": (of_a, day(2, 16)),
        f"plan_not_approved:{a}:{YEAR}": (of_a, day(4, 1)),
        f"plan_not_approved:{b}:{YEAR}": (of_b, day(4, 1)),
        f"meeting_due:{a}:{YEAR}-06-01": (of_a, day(5, 18)),  # 14 days before
        f"meeting_overdue:{a}:{YEAR}-06-01": (of_a, day(6, 2)),
        f"dormant:{b}:2025-06-01": (of_b, day(6, 2)),
        f"programme_ending:{programme}:{YEAR}-09-30": (of_a, day(7, 2)),  # 90 days before
        # Nothing given and no meeting for 12 months since its last one, on 1-12-2025.
        f"dormant:{a}:2025-12-01": (of_a, day(12, 2)),
    }
    return {
        (user.pk, key): first
        for key, (accounts, first) in occasions_of.items()
        for user in accounts
    }


def test_a_simulated_year_reminds_each_occasion_once_to_the_staff_in_scope(world):
    plan = Plan.objects.create(agreement=world["a"], year=YEAR)
    PlanItem.objects.create(
        plan=plan,
        area=CommitmentArea.objects.first(),
        description="Giao lưu",
        target_kind=TargetKind.MILESTONE,
    )
    first_seen = {}
    e_mails = 0
    current = day(1, 1)
    while current.year == YEAR:
        if current == day(4, 20):
            approve(plan, None)
        made = reminders.deliver(current)
        for reminder in made:
            first_seen.setdefault((reminder.user_id, reminder.key), current)
        e_mails += len(mail.outbox)
        mail.outbox.clear()
        current += datetime.timedelta(days=1)
    assert first_seen == expected(world)
    assert Reminder.objects.count() == len(first_seen)  # each once
    # A second run of the whole year: nothing new, nothing sent.
    current = day(1, 1)
    while current.year == YEAR:
        assert reminders.deliver(current) == []
        current += datetime.timedelta(days=1)
    assert mail.outbox == []
    # E-mail: one per account and day with something new, the unit's editor has no address.
    days_by_account = {(user, first) for (user, _key), first in first_seen.items()}
    no_address = world["users"]["unit_editor"].pk
    assert e_mails == len({(u, d) for u, d in days_by_account if u != no_address})
    assert not Reminder.objects.filter(user_id=no_address, emailed_at__isnull=False).exists()


def test_the_work_list_of_a_day_is_the_occasions_in_scope(world):
    today = day(6, 10)
    editor_b = world["users"]["editor_b"]
    kinds = {group.kind: group for group in work_list(scope_of(editor_b), today)}
    assert set(kinds) == {
        OccasionKind.DRAFT_WAITING,
        OccasionKind.PLAN_NOT_APPROVED,
        OccasionKind.DORMANT,
    }
    assert [o.agreement for o in kinds[OccasionKind.DORMANT].shown] == ["Xã B – Sở"]
    everything = {o.key for o in occasions(today, WHOLE)}
    listed = {o.key for group in work_list(WHOLE, today) for o in group.shown}
    assert listed == everything
    overdue = next(o for o in occasions(today) if o.kind == OccasionKind.MEETING_OVERDUE)
    assert overdue.text == gettext("No review meeting since %(last)s: one was due by %(day)s.") % {
        "last": "1/12/2025",
        "day": "1/6/2026",
    }


def test_a_meeting_recorded_ends_the_overdue_occasion(world):
    today = day(6, 10)
    kinds = {o.kind for o in occasions(today) if o.agreement_id == world["a"].pk}
    assert OccasionKind.MEETING_OVERDUE in kinds
    Meeting.objects.create(agreement=world["a"], kind=MeetingKind.BRIEFING, held_on=day(6, 5))
    kinds = {o.kind for o in occasions(today) if o.agreement_id == world["a"].pk}
    assert OccasionKind.MEETING_OVERDUE not in kinds  # next due 5-12-2026


def test_an_email_in_vietnamese_with_its_links(world, settings):
    settings.SITE_URL = "https://ketnghia.gialai.gov.vn"
    reminders.deliver(day(6, 10))
    sent = {message.to[0]: message for message in mail.outbox}
    message = sent["nhap-lieu-b@example.org"]
    assert message.subject == "[Kết nghĩa] 3 việc cần chú ý"
    assert "Xin chào nhap-lieu-b," in message.body
    assert "Giao ước không có hoạt động" in message.body
    assert "https://ketnghia.gialai.gov.vn/admin/inbox/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and 'lang="vi"' in html
    links = re.findall(r'href="([^"]+)"', html)
    assert all(link.startswith("https://ketnghia.gialai.gov.vn/admin/") for link in links)


def test_muted_kinds_and_the_weekly_digest(world):
    users = world["users"]
    ReminderSettings.objects.create(user=users["editor_b"], muted=[OccasionKind.DORMANT])
    ReminderSettings.objects.create(user=users["officer"], weekly_digest=True)
    reminders.deliver(day(6, 10))  # a Wednesday
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "can-bo-tinh@example.org" not in by_address  # waits for Monday
    assert "không có hoạt động" not in by_address["nhap-lieu-b@example.org"].body
    assert Reminder.objects.filter(user=users["editor_b"], kind=OccasionKind.DORMANT).exists()
    mail.outbox.clear()
    reminders.send_digests(day(6, 15))
    (digest,) = mail.outbox
    assert digest.to == ["can-bo-tinh@example.org"]
    assert "Trong tuần này" in digest.body
    officer = Reminder.objects.filter(user=users["officer"])
    assert officer.count() == officer.filter(emailed_at__isnull=False).count() > 0
    mail.outbox.clear()
    reminders.send_digests(day(6, 22))
    assert mail.outbox == []


def test_the_inbox_marks_read_and_opens_the_page(world):
    reminders.deliver(day(6, 10))
    editor = world["users"]["editor_b"]
    client = Client()
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    unread = Reminder.objects.filter(user=editor).count()
    assert gettext("Inbox") in page and f"{unread} chưa đọc" in page
    inbox = client.get("/admin/inbox/").content.decode()
    assert "Xã B – Sở" in inbox
    reminder = Reminder.objects.filter(user=editor, kind=OccasionKind.DORMANT).get()
    response = client.post(f"/admin/inbox/{reminder.pk}/")
    assert response.status_code == 302 and response.url == reminder.path
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    # Another account's reminder is not found; all marked read at once.
    other = Reminder.objects.exclude(user=editor).first()
    assert client.post(f"/admin/inbox/{other.pk}/").status_code == 404
    client.post("/admin/inbox/")
    assert not Reminder.objects.filter(user=editor, read_at__isnull=True).exists()
    assert f"{unread} chưa đọc" not in client.get("/admin/").content.decode()


def test_reminders_of_agreements_taken_from_an_account_leave_its_inbox(world):
    """A commune taken from an editor, then the role: its reminders leave the inbox and the
    badge, and cannot be opened (they stay recorded, as sent)."""
    reminders.deliver(day(6, 10))
    editor = world["users"]["editor_a"]
    mine = Reminder.objects.filter(user=editor)
    about_a = mine.filter(agreement=world["a"]).first()
    assert about_a is not None and mine.exclude(agreement=world["a"]).exists()
    client = Client()
    client.force_login(editor)
    assert f"{mine.count()} chưa đọc" in client.get("/admin/").content.decode()

    # In charge of the commune of B now: A's village and the draft A–B… B is a party of it.
    StaffLocality.objects.filter(user=editor).update(locality=world["b"].parties.first().locality)
    client = Client()
    client.force_login(editor)
    shown = client.get("/admin/inbox/").context["page_obj"].object_list
    assert {r.agreement_id for r in shown} == {world["draft"].pk}
    assert f"{len(shown)} chưa đọc" in client.get("/admin/").content.decode()
    assert client.post(f"/admin/inbox/{about_a.pk}/").status_code == 404

    editor.groups.clear()
    client = Client()
    client.force_login(editor)
    assert not client.get("/admin/inbox/").context["page_obj"].object_list
    assert Reminder.objects.filter(user=editor).count() == mine.count()


@pytest.mark.parametrize("kept", [False, True], ids=["counted", "kept in the cache"])
def test_the_badge_follows_every_change_of_what_it_counts(world, settings, kept):
    """The badge is counted once, then kept (with a shared cache) until a reminder, a report
    file, the account's places or its permissions change: it never shows a stale count."""
    settings.PERMISSION_CACHE_SECONDS = settings.INBOX_BADGE_CACHE_SECONDS = 60 if kept else 0
    editor = world["users"]["editor_a"]
    client = Client()
    client.force_login(editor)

    def badge():
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/admin/").content.decode()
        counted = sum("ketnghia_reminder" in q["sql"] for q in queries)
        shown = re.search(r"(\d+) chưa đọc", page)
        return (int(shown[1]) if shown else 0), counted

    assert badge() == (0, 1)
    assert badge() == (0, 0 if kept else 1)
    reminders.deliver(day(6, 10))  # bulk_create: no signal
    mine = Reminder.objects.filter(user=editor)
    assert badge() == (mine.count(), 1)
    assert badge() == (mine.count(), 0 if kept else 1)
    first = mine.first()
    client.post(f"/admin/inbox/{first.pk}/")
    assert badge() == (mine.count() - 1, 1)
    # In charge of commune B now (the admin saves the row): only the draft A–B is still seen.
    place = StaffLocality.objects.get(user=editor)
    place.locality = world["b"].parties.first().locality
    place.save()
    assert badge()[0] == mine.filter(agreement=world["draft"], read_at__isnull=True).count()
    client.post("/admin/inbox/")  # all marked read at once: an update, no signal
    assert badge() == (0, 1)
    # A write that sends no signal tells the badges.
    Reminder.objects.filter(user=editor).update(read_at=None)
    badges_changed()
    assert badge()[0] == mine.filter(agreement=world["draft"]).count() > 0
    editor.groups.clear()  # its role taken: no reminder is its concern any more
    assert badge()[0] == 0


def test_the_settings_page_saves_the_choices(world):
    editor = world["users"]["editor_a"]
    client = Client()
    client.force_login(editor)
    response = client.post(
        "/admin/inbox/settings/",
        {"weekly_digest": "on", "muted": [OccasionKind.ANNIVERSARY, OccasionKind.DORMANT]},
    )
    assert response.status_code == 302
    choices = ReminderSettings.objects.get(user=editor)
    assert choices.weekly_digest and choices.muted == ["anniversary", "dormant"]
    bad = client.post("/admin/inbox/settings/", {"muted": ["nothing"]})
    assert bad.status_code == 200 and "nothing" in bad.context["form"].errors["muted"][0]


def test_the_work_list_page(world, django_assert_num_queries):
    client = Client()
    client.force_login(world["users"]["officer"])
    client.get("/admin/worklist/")
    with CaptureQueriesContext(connection) as once:
        page = client.get("/admin/worklist/").content.decode()
    assert str(OccasionKind.LABELS[OccasionKind.DRAFT_WAITING]) in page
    assert "Xã A – Xã B" in page
    for n in range(5):  # five more agreements, each with its occasions
        more = factories.agreement(title=f"Giao ước thêm {n}", published=True)
        Agreement.objects.filter(pk=more.pk).update(meeting_every=3)
    with django_assert_num_queries(len(once)):
        page = client.get("/admin/worklist/").content.decode()
    assert "Giao ước thêm 4" in page


def test_an_activity_still_running_keeps_its_agreement_off_the_quiet_list(world):
    """An activity's last day is its end: one that started more than a year ago and ends
    within the year keeps the agreement from being quiet, and an agreement is quiet since the
    end of its last activity, not its start."""
    today = day(6, 10)
    b = world["b"]

    def quiet():
        kinds = {group.kind: group for group in work_list(WHOLE, today)}
        group = kinds.get(OccasionKind.DORMANT)
        return {o.agreement_id: o.on for o in group.shown} if group else {}

    assert quiet()[b.pk] == datetime.date(2025, 6, 1)
    running = factories.activity(
        b, starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 8, 31)
    )
    assert b.pk not in quiet()  # ended 31-8-2025, within the twelve months before 10-6-2026
    running.ends_on = datetime.date(2025, 6, 5)
    running.save()
    assert quiet()[b.pk] == datetime.date(2025, 6, 5)
    assert {o.key for o in occasions(today) if o.kind == OccasionKind.DORMANT} >= {
        f"dormant:{b.pk}:2025-06-05"
    }


def test_the_work_list_is_kept_until_the_data_changes(world, settings):
    """With the shared cache on, the work list of a scope and a day is kept: the next page
    reads no agreement; an activity given, a meeting held or an agreement added shows at once;
    a decision's follow-up (staff's, whose writes drop nothing) is read every time."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    client = Client()
    client.force_login(world["users"]["officer"])

    def page():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/admin/worklist/").content.decode()
        # The late follow-ups' query names the agreements in force too: read every time.
        sql = [q["sql"] for q in queries if 'FROM "activities_followup"' not in q["sql"]]
        return html, sum('FROM "agreements_agreement"' in text for text in sql)

    def quiet(html):
        found = re.search(r'<section[^>]*"kind-dormant".*?</section>', html, re.S)
        return found.group(0) if found else ""

    html, read = page()
    assert "Xã B – Sở" in quiet(html) and "Sửa nhà văn hóa làng" in html and read
    html, read = page()
    assert "Xã B – Sở" in quiet(html) and read == 0  # kept
    factories.activity(world["b"], starts_on=timezone.localdate())
    html, read = page()
    assert read and "Xã B – Sở" not in quiet(html)
    world["follow_up"].done_on = timezone.localdate()
    world["follow_up"].save()
    html, _read = page()
    assert "Sửa nhà văn hóa làng" not in html  # at once, though nothing else changed
    factories.agreement(title="Giao ước mới thêm", published=False)
    html, read = page()
    assert read and "Giao ước mới thêm" not in html  # a draft of today: not yet waiting
    cache.clear()


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2025, 12, 1), 6) == datetime.date(2026, 6, 1)
    assert add_months(datetime.date(2026, 6, 10), -12) == datetime.date(2025, 6, 10)


def test_a_failed_email_is_sent_by_the_next_run(world, monkeypatch):
    real_send = mail.EmailMultiAlternatives.send
    refused = []

    def send(message, *args, **kwargs):
        if message.to == ["nhap-lieu-b@example.org"] and not refused:
            refused.append(message)
            raise OSError("the mail server does not answer")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", send)
    with pytest.raises(OSError):
        reminders.deliver(day(6, 10))
    sent_first = {m.to[0] for m in mail.outbox}
    assert "nhap-lieu-b@example.org" not in sent_first
    mail.outbox.clear()
    assert reminders.deliver(day(6, 10)) == []  # nothing new: the retry
    assert {m.to[0] for m in mail.outbox} == (
        {
            "nhap-lieu-a@example.org",
            "lanh-dao-a@example.org",
            "nhap-lieu-b@example.org",
            "can-bo-tinh@example.org",
        }
        - sent_first
    )
    assert not Reminder.objects.filter(
        user__email__endswith="@example.org", emailed_at__isnull=True
    ).exists()


def test_an_account_without_a_role_has_no_work_list(world):
    client = Client()
    client.force_login(world["users"]["no_role"])
    page = client.get("/admin/worklist/").content.decode()
    assert "Xã A – Xã B" not in page
    assert gettext("Nothing needs attention today.") in page


def test_a_meeting_to_come_is_not_recorded_and_not_counted(world):
    planned = Meeting(agreement=world["a"], kind=MeetingKind.BRIEFING, held_on=day(12, 30))
    with pytest.raises(ValidationError) as refused:
        planned.full_clean()
    assert "held_on" in refused.value.message_dict
    planned.save()  # written around the form: still not a meeting held
    kinds = {o.kind for o in occasions(day(6, 10)) if o.agreement_id == world["a"].pk}
    assert OccasionKind.MEETING_OVERDUE in kinds


def test_the_meeting_list_counts_open_follow_ups_once_under_its_filter(world):
    meeting = Meeting.objects.get(agreement=world["a"])
    for n in range(2):
        FollowUp.objects.create(meeting=meeting, decision=f"Việc {n}", due_on=day(9, 1))
    client = Client()
    client.force_login(world["users"]["officer"])
    for query in ("", "?follow_ups=open"):
        response = client.get(f"/admin/activities/meeting/{query}")
        row = response.context["cl"].result_list[0]
        assert row.n_open == 3


def approve_a_plan_due_in_march(agreement):
    """This year's plan of `agreement`, approved, with one item due on 1 March."""
    plan = Plan.objects.create(agreement=agreement, year=YEAR)
    PlanItem.objects.create(
        plan=plan,
        area=CommitmentArea.objects.first(),
        description="Giao lưu",
        target_kind=TargetKind.MILESTONE,
        due_on=day(3, 1),
    )
    approve(plan, None)


def test_the_years_summary_is_kept_until_a_plan_changes(world, settings, django_assert_num_queries):
    """With the shared cache, a dashboard computed for someone signed in reads the year's
    summary once for a unit and the day, then from the cache until a write of what it counts."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    first = cycle_summary(None, day(6, 10), keep=pagecache.kept)
    assert (first.plans, first.with_cadence, first.overdue) == (0, 1, 1)
    with django_assert_num_queries(0):
        assert cycle_summary(None, day(6, 10), keep=pagecache.kept) == first
    of_b = cycle_summary(world["b"].parties.first().locality_id, day(6, 10), keep=pagecache.kept)
    assert (of_b.plans, of_b.with_cadence) == (0, 0)  # another unit: its own summary
    approve_a_plan_due_in_march(world["a"])
    again = cycle_summary(None, day(6, 10), keep=pagecache.kept)
    assert again.plans == 1 and again == cycle_summary(None, day(6, 10))
    cache.clear()


@pytest.mark.parametrize("plan_due", [(2, 29)])
def test_a_due_day_of_29_february_falls_on_the_28th_in_a_common_year(settings, plan_due):
    settings.PLAN_APPROVAL_DUE = plan_due
    assert due_of(2027) == datetime.date(2027, 2, 28)
    assert due_of(2028) == datetime.date(2028, 2, 29)


def test_the_years_plans_and_meetings_on_the_dashboards(world, client):
    summary = cycle_summary(None, day(6, 10))
    assert (summary.year, summary.plans) == (YEAR, 0)
    assert (summary.with_cadence, summary.overdue) == (1, 1)
    approve_a_plan_due_in_march(world["a"])
    summary = cycle_summary(None, day(6, 10))
    assert summary.plans == 1 and summary.item_counts == [("late", gettext("Late"), 1)]
    # Commune B's dashboard: its agreement has no cadence, no plan.
    of_b = cycle_summary(world["b"].parties.first().locality_id, day(6, 10))
    assert (of_b.plans, of_b.with_cadence) == (0, 0)
    # The village of commune A is a party of `a`: the commune's dashboard counts its plan.
    commune_a = world["a"].parties.first().locality.parent_id
    of_a = cycle_summary(commune_a, day(6, 10))
    assert (of_a.plans, of_a.with_cadence, of_a.overdue) == (1, 1, 1)
    # A ward formed by merging commune A counts A's agreements, as its figures do.
    ward = factories.locality("Phường Hợp Nhất", kind=LocalityKind.WARD)
    Succession.objects.create(predecessor_id=commune_a, successor=ward)
    of_ward = cycle_summary(ward.pk, day(6, 10))
    assert (of_ward.plans, of_ward.with_cadence, of_ward.overdue) == (1, 1, 1)
    page = client.get("/thong-ke/").content.decode()
    today = cycle_summary()
    assert f"Kế hoạch và họp đánh giá năm {today.year}" in page
    assert f"{today.overdue} giao ước quá hạn họp đánh giá" in page

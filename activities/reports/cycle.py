"""The twinning year's occasions: what needs someone's attention today (docs/counting.md, "The
work list").

One definition serves the work list (a page, for the agreements in an account's scope) and the
daily reminders (ketnghia.reminders, for every account in scope): an occasion has a kind, the
agreement it concerns, the day it is about, and a key that names it once and for all, so that a
reminder of it is sent once however often the job runs.

- **plan not approved**: an agreement in force, signed before this year's approval date
  (settings.PLAN_APPROVAL_DUE, 31 March unless set), has no approved plan for this year once
  that date has passed;
- **meeting due** / **meeting overdue**: an agreement with a meeting cadence whose next review
  meeting (the last one, or the signing, plus the cadence) is within MEETING_NOTICE days, or has
  passed. A meeting is a recorded review meeting or a review conference among its events;
- **dormant**: an agreement in force, signed DORMANT_AFTER months ago or more, with no activity
  (pledged or delivered) and no meeting in that time;
- **anniversary**: an agreement in force whose 5th, 10th, 15th… anniversary of signing is
  within ANNIVERSARY_NOTICE days;
- **programme ending**: a programme of an agreement in force ending within PROGRAMME_NOTICE
  days;
- **draft waiting**: an agreement left a draft, or a change proposed to a published one,
  DRAFT_WAITING days or more ago;
- **follow-up late**: a meeting's decision past its due date and not done.

Published agreements only, but for the drafts waiting. Each kind is one query.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, DateField, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities.models import (
    Activity,
    FollowUp,
    Meeting,
    MeetingAttendance,
    Plan,
    PlanItem,
    PlanStatus,
)
from activities.reports.dashboards import ANNIVERSARY_EVERY, anniversary
from activities.reports.plans import ItemStatus, progress_of
from agreements.models import (
    Agreement,
    AgreementStatus,
    Event,
    EventKind,
    Party,
    Programme,
    Revision,
    RevisionStatus,
    in_force_condition,
)
from localities import tree
from localities.models import Locality, Succession
from localities.scopes import WHOLE

MEETING_NOTICE = 14  # days before a review meeting is due
DORMANT_AFTER = 12  # months without activity or meeting
ANNIVERSARY_NOTICE = 60  # days
PROGRAMME_NOTICE = 90  # days
DRAFT_WAITING = 7  # days


class OccasionKind:
    PLAN_NOT_APPROVED = "plan_not_approved"
    MEETING_DUE = "meeting_due"
    MEETING_OVERDUE = "meeting_overdue"
    DORMANT = "dormant"
    ANNIVERSARY = "anniversary"
    PROGRAMME_ENDING = "programme_ending"
    DRAFT_WAITING = "draft_waiting"
    FOLLOW_UP_LATE = "follow_up_late"

    CHOICES = [
        (MEETING_OVERDUE, gettext_lazy("Review meeting overdue")),
        (FOLLOW_UP_LATE, gettext_lazy("Follow-up past due")),
        (PLAN_NOT_APPROVED, gettext_lazy("Annual plan not approved")),
        (DRAFT_WAITING, gettext_lazy("Draft waiting for review")),
        (MEETING_DUE, gettext_lazy("Review meeting due soon")),
        (DORMANT, gettext_lazy("Dormant agreement")),
        (ANNIVERSARY, gettext_lazy("Anniversary coming")),
        (PROGRAMME_ENDING, gettext_lazy("Programme ending")),
    ]
    LABELS = dict(CHOICES)
    VALUES = [value for value, _label in CHOICES]


def _day(value):
    return date_format(value, "SHORT_DATE_FORMAT")


@dataclass(frozen=True)
class Occasion:
    """Something to attend to about an agreement: what (`kind`), its day (`on`), its key, and
    the facts its sentence is made of (`facts`: days as ISO strings, numbers, names), so that
    a reminder stored today reads in the reader's language later."""

    kind: str
    key: str
    agreement_id: int
    agreement: str
    on: datetime.date
    path: str  # where it is dealt with, in the admin
    facts: dict = field(default_factory=dict)

    @property
    def label(self):
        return OccasionKind.LABELS[self.kind]

    @property
    def text(self):
        return describe(self.kind, self.facts)


def describe(kind, facts):
    """The sentence of an occasion, in the active language."""
    day = _day(datetime.date.fromisoformat(facts["on"]))
    if kind == OccasionKind.PLAN_NOT_APPROVED:
        return _("No approved plan for %(year)s (due by %(day)s).") % {
            "year": facts["year"],
            "day": day,
        }
    if kind == OccasionKind.MEETING_DUE:
        return _("The next review meeting is due by %(day)s.") % {"day": day}
    if kind == OccasionKind.MEETING_OVERDUE:
        return _("No review meeting since %(last)s: one was due by %(day)s.") % {
            "last": _day(datetime.date.fromisoformat(facts["last"])),
            "day": day,
        }
    if kind == OccasionKind.DORMANT:
        return _("No activity and no meeting since %(day)s.") % {"day": day}
    if kind == OccasionKind.ANNIVERSARY:
        return ngettext(
            "%(years)d year since the signing on %(day)s.",
            "%(years)d years since the signing on %(day)s.",
            facts["years"],
        ) % {"years": facts["years"], "day": day}
    if kind == OccasionKind.PROGRAMME_ENDING:
        return _("The programme “%(name)s” ends on %(day)s.") % {
            "name": facts["name"],
            "day": day,
        }
    if kind == OccasionKind.DRAFT_WAITING:
        if facts.get("revision"):
            return _("A proposed change, “%(subject)s”, has waited for review since %(day)s.") % {
                "subject": facts["subject"],
                "day": day,
            }
        return _("A draft since %(day)s, not yet published.") % {"day": day}
    if kind == OccasionKind.FOLLOW_UP_LATE:
        return _("“%(decision)s” was due by %(day)s.") % {"decision": facts["decision"], "day": day}
    raise ValueError(kind)


def add_months(day, months):
    """The same day `months` later, or the month's last day: 31/8 + 6 months → 28/2."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def plan_due(year):
    month, day = settings.PLAN_APPROVAL_DUE
    try:
        return datetime.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, month, day - 1)


def _agreements(scope):
    return Agreement.objects.within(scope)


def _in_force(scope, today):
    return _agreements(scope).published().filter(in_force_condition(today))


def _last_meeting(today):
    """The day of an agreement's latest review meeting or review conference held by `today`
    (a meeting entered ahead of its day has not been held), or of its signing."""
    meetings = Meeting.objects.filter(agreement=OuterRef("pk"), held_on__lte=today)
    meetings = meetings.order_by().values("agreement")
    reviews = Event.objects.filter(
        agreement=OuterRef("pk"), kind=EventKind.REVIEW, held_on__lte=today
    ).order_by()
    reviews = reviews.values("agreement")
    return Greatest(
        Coalesce(Subquery(meetings.annotate(m=Max("held_on")).values("m")), "signed_on"),
        Coalesce(Subquery(reviews.annotate(m=Max("held_on")).values("m")), "signed_on"),
        output_field=DateField(),
    )


def _agreement_path(pk):
    return reverse("admin:agreements_agreement_change", args=[pk])


# --- each kind: (a query of its rows, oldest first; a row → Occasion) ---------------------------


def _plans_not_approved(scope, today):
    due = plan_due(today.year)
    if today <= due:
        return Agreement.objects.none(), None
    approved = Plan.objects.filter(
        agreement=OuterRef("pk"), year=today.year, status=PlanStatus.APPROVED
    )
    rows = (
        _in_force(scope, today)
        .filter(signed_on__lt=due)
        .filter(~Exists(approved))
        .order_by("signed_on", "pk")
        .only("id", "title")
    )
    plans = reverse("admin:activities_plan_changelist")

    def occasion(agreement):
        return Occasion(
            OccasionKind.PLAN_NOT_APPROVED,
            f"plan_not_approved:{agreement.pk}:{today.year}",
            agreement.pk,
            agreement.title,
            due,
            f"{plans}?agreement__id__exact={agreement.pk}&year={today.year}",
            {"on": due.isoformat(), "year": today.year},
        )

    return rows, occasion


def _meetings(scope, today, overdue):
    """Agreements with a cadence whose next meeting is due: by MEETING_NOTICE days from today
    (not overdue), or before today (overdue). Their next day is computed from the last
    meeting and the cadence, in months: the query returns the agreements with a cadence."""
    rows = (
        _in_force(scope, today)
        .filter(meeting_every__isnull=False)
        .annotate(last_meeting=_last_meeting(today))
        .order_by("last_meeting", "pk")
        .only("id", "title", "meeting_every", "signed_on")
    )
    kind = OccasionKind.MEETING_OVERDUE if overdue else OccasionKind.MEETING_DUE
    soon = today + datetime.timedelta(days=MEETING_NOTICE)

    def occasion(agreement):
        due = add_months(agreement.last_meeting, agreement.meeting_every)
        if (due < today) != overdue or due > soon:
            return None
        return Occasion(
            kind,
            f"{kind}:{agreement.pk}:{due.isoformat()}",
            agreement.pk,
            agreement.title,
            due,
            reverse("admin:activities_meeting_add") + f"?agreement={agreement.pk}",
            {"on": due.isoformat(), "last": agreement.last_meeting.isoformat()},
        )

    return rows, occasion


def _dormant(scope, today):
    since = add_months(today, -DORMANT_AFTER)
    # An activity's last day is its end, else its start (it ends on or after it starts: the
    # activities_activity_ends_after_start constraint), so "started or ended since" is "last
    # day since": the agreements with one are read from the activities_last_day index alone,
    # and each agreement's last day is one look at activities_agreement_last_day.
    last_day = Coalesce("ends_on", "starts_on")
    recent_activity = Activity.objects.alias(last_day=last_day).filter(
        agreement=OuterRef("pk"), last_day__gte=since
    )
    recent_meeting = Meeting.objects.filter(
        agreement=OuterRef("pk"), held_on__gte=since, held_on__lte=today
    )
    recent_review = Event.objects.filter(
        agreement=OuterRef("pk"), kind=EventKind.REVIEW, held_on__gte=since, held_on__lte=today
    )
    last_activity = (
        Activity.objects.filter(agreement=OuterRef("pk"))
        .annotate(last_day=last_day)
        .order_by("-last_day")
        .values("last_day")[:1]
    )
    rows = (
        _in_force(scope, today)
        .filter(signed_on__lte=since)
        .filter(~Exists(recent_activity), ~Exists(recent_meeting), ~Exists(recent_review))
        .annotate(
            quiet_since=Greatest(
                _last_meeting(today),
                Coalesce(Subquery(last_activity), "signed_on"),
                output_field=DateField(),
            )
        )
        .order_by("quiet_since", "pk")
        .only("id", "title", "signed_on")
    )

    def occasion(agreement):
        quiet = agreement.quiet_since
        return Occasion(
            OccasionKind.DORMANT,
            f"dormant:{agreement.pk}:{quiet.isoformat()}",
            agreement.pk,
            agreement.title,
            quiet,
            _agreement_path(agreement.pk),
            {"on": quiet.isoformat()},
        )

    return rows, occasion


def _anniversary_condition(today, until):
    """Signed on a day whose 5th, 10th… anniversary falls between today and `until`."""
    condition = Q(pk__in=[])
    for years in range(ANNIVERSARY_EVERY, today.year - 1900, ANNIVERSARY_EVERY):
        start = anniversary(today, today.year - years)
        end = anniversary(until, until.year - years)
        condition |= Q(signed_on__gte=start, signed_on__lte=end)
    return condition


def _anniversaries(scope, today):
    until = today + datetime.timedelta(days=ANNIVERSARY_NOTICE)
    rows = (
        _in_force(scope, today)
        .filter(_anniversary_condition(today, until))
        .order_by("signed_on", "pk")
        .only("id", "title", "signed_on")
    )

    def occasion(agreement):
        signed = agreement.signed_on
        for year in (today.year, today.year + 1):
            day = anniversary(signed, year)
            years = year - signed.year
            if today <= day <= until and years and years % ANNIVERSARY_EVERY == 0:
                return Occasion(
                    OccasionKind.ANNIVERSARY,
                    f"anniversary:{agreement.pk}:{years}",
                    agreement.pk,
                    agreement.title,
                    day,
                    _agreement_path(agreement.pk),
                    {"on": signed.isoformat(), "years": years},
                )
        return None

    return rows, occasion


def _programmes(scope, today):
    until = today + datetime.timedelta(days=PROGRAMME_NOTICE)
    rows = (
        Programme.objects.filter(
            agreement__in=_in_force(scope, today).values("pk"),
            ends_on__gte=today,
            ends_on__lte=until,
        )
        .select_related("agreement")
        .only("id", "name", "ends_on", "agreement__id", "agreement__title")
        .order_by("ends_on", "pk")
    )

    def occasion(programme):
        return Occasion(
            OccasionKind.PROGRAMME_ENDING,
            f"programme_ending:{programme.pk}:{programme.ends_on.isoformat()}",
            programme.agreement_id,
            programme.agreement.title,
            programme.ends_on,
            _agreement_path(programme.agreement_id),
            {"on": programme.ends_on.isoformat(), "name": programme.name},
        )

    return rows, occasion


def _drafts(scope, today):
    waiting_since = today - datetime.timedelta(days=DRAFT_WAITING)
    return (
        _agreements(scope)
        .filter(status=AgreementStatus.DRAFT, created_at__date__lte=waiting_since)
        .order_by("created_at", "pk")
        .only("id", "title", "created_at")
    )


def _revisions(scope, today):
    waiting_since = today - datetime.timedelta(days=DRAFT_WAITING)
    return (
        Revision.objects.filter(
            agreement__in=_agreements(scope).values("pk"),
            status=RevisionStatus.PENDING,
            created_at__date__lte=waiting_since,
        )
        .select_related("agreement")
        .only("id", "subject", "created_at", "agreement__id", "agreement__title")
        .order_by("created_at", "pk")
    )


def _draft_occasion(row):
    if isinstance(row, Revision):
        day = timezone.localdate(row.created_at)
        return Occasion(
            OccasionKind.DRAFT_WAITING,
            f"draft_waiting:revision:{row.pk}",
            row.agreement_id,
            row.agreement.title or str(row.agreement),
            day,
            reverse("admin:agreements_revision_change", args=[row.pk]),
            {"on": day.isoformat(), "revision": row.pk, "subject": row.subject},
        )
    day = timezone.localdate(row.created_at)
    return Occasion(
        OccasionKind.DRAFT_WAITING,
        f"draft_waiting:agreement:{row.pk}",
        row.pk,
        row.title or str(row),
        day,
        _agreement_path(row.pk),
        {"on": day.isoformat()},
    )


def _follow_ups(scope, today):
    rows = (
        FollowUp.objects.filter(
            meeting__agreement__in=_in_force(scope, today).values("pk"),
            done_on__isnull=True,
            due_on__lt=today,
        )
        .select_related("meeting__agreement")
        .only("id", "decision", "due_on", "meeting__id", "meeting__agreement__title")
        .order_by("due_on", "pk")
    )

    def occasion(follow_up):
        agreement = follow_up.meeting.agreement
        return Occasion(
            OccasionKind.FOLLOW_UP_LATE,
            f"follow_up_late:{follow_up.pk}:{follow_up.due_on.isoformat()}",
            agreement.pk,
            agreement.title,
            follow_up.due_on,
            reverse("admin:activities_meeting_change", args=[follow_up.meeting_id]),
            {"on": follow_up.due_on.isoformat(), "decision": follow_up.decision},
        )

    return rows, occasion


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindOfOccasions:
    kind: str
    total: int
    shown: list

    @property
    def label(self):
        return OccasionKind.LABELS[self.kind]

    @property
    def more(self):
        return self.total - len(self.shown)


def _sources(scope, today, follow_ups=True, others=True):
    """(kind, rows, row → Occasion or None, rows may yield None) for every kind: the late
    follow-ups, the others, or both."""
    if others:
        yield OccasionKind.MEETING_OVERDUE, *_meetings(scope, today, overdue=True), True
    if follow_ups:
        yield OccasionKind.FOLLOW_UP_LATE, *_follow_ups(scope, today), False
    if not others:
        return
    yield OccasionKind.PLAN_NOT_APPROVED, *_plans_not_approved(scope, today), False
    for rows in (_drafts(scope, today), _revisions(scope, today)):
        yield OccasionKind.DRAFT_WAITING, rows, _draft_occasion, False
    yield OccasionKind.MEETING_DUE, *_meetings(scope, today, overdue=False), True
    yield OccasionKind.DORMANT, *_dormant(scope, today), False
    yield OccasionKind.ANNIVERSARY, *_anniversaries(scope, today), True
    yield OccasionKind.PROGRAMME_ENDING, *_programmes(scope, today), False


# What the kinds but the late follow-ups read (the scope's units and the agreements' parties
# too): a write of any of them drops the work lists kept. A decision's follow-up is staff's,
# on no public page, and its writes drop nothing: the late follow-ups are read every time.
WORK_LIST_READS = (Locality, Party, Agreement, Revision, Programme, Event, Activity, Meeting, Plan)


def occasions(today=None, scope=WHOLE):
    """Every occasion of the day for the agreements in `scope`, kind by kind (the daily
    reminders read them all)."""
    today = today or timezone.localdate()
    for _kind, rows, occasion, _filtered in _sources(scope, today):
        if occasion is None:
            continue
        for row in rows.iterator(chunk_size=2000):
            found = occasion(row)
            if found is not None:
                yield found


def work_list(scope, today=None, shown=50, keep=None):
    """The work list of an account: for each kind with occasions, how many there are and the
    first `shown` of them (the most pressing first). Two queries a kind at most. `keep` (name,
    key, compute → compute() or the value kept of it: the shared cache's
    ketnghia.pagecache.kept, until the data changes) keeps every kind but the late
    follow-ups, for the scope and the day."""
    today = today or timezone.localdate()
    if keep is None:
        by_kind = _kinds(_sources(scope, today), shown)
    else:
        roots = None if scope.roots is None else tuple(sorted(scope.roots))
        by_kind = keep(
            "work-list",
            (*WORK_LIST_READS, roots, today, shown),
            lambda: _kinds(_sources(scope, today, follow_ups=False), shown),
        )
        late = _kinds(_sources(scope, today, others=False), shown)
        by_kind = {**by_kind, **late}
    return [by_kind[kind] for kind in OccasionKind.VALUES if kind in by_kind]


def _kinds(sources, shown):
    """{kind: KindOfOccasions} of the kinds with occasions among `sources`."""
    by_kind = {}
    for kind, rows, occasion, filtered in sources:
        if occasion is None:
            continue
        if filtered:
            # The query cannot tell which rows are occasions (a date computed in months, an
            # anniversary of this year or the next): the rows are few, read whole.
            found = [o for o in map(occasion, rows) if o is not None]
            total, first = len(found), found[:shown]
        else:
            first = [occasion(row) for row in rows[:shown]]
            total = len(first) if len(first) < shown else rows.count()
        if total:
            before = by_kind.get(kind)
            if before is not None:
                first = (before.shown + first)[:shown]
                total += before.total
            by_kind[kind] = KindOfOccasions(kind, total, first)
    return by_kind


# --- the year on a dashboard -------------------------------------------------------------------


@dataclass(frozen=True)
class CycleSummary:
    """The twinning year of a dashboard's scope: the plans approved for this year and their
    items by status; the agreements with a meeting cadence and those overdue."""

    year: int
    plans: int
    items: dict  # status → number of items
    with_cadence: int
    overdue: int

    @property
    def item_counts(self):
        return [
            (status, ItemStatus.LABELS[status], self.items[status])
            for status in ItemStatus.ORDER
            if self.items.get(status)
        ]


# What the year on a dashboard reads (plans and their items, meetings and review events, the
# agreements in force and their parties, the units' tree and successions): a write of any of
# them drops the summaries kept.
CYCLE_READS = (Locality, Succession, Party, Agreement, Event, Activity, Meeting, Plan, PlanItem)


def cycle_summary(locality_id=None, today=None, keep=None):
    """For the province (no locality) or a unit (its agreements: a party in it or below it, or
    in or below a unit it succeeded).

    The plans of the year and the agreements with a cadence are few beside the agreements: they
    are read for the province (two or three queries, each through its own index), and kept for
    a unit by their parties (two more), rather than the unit's agreements being looked for
    among all. `keep`, as work_list's (ketnghia.pagecache.kept), keeps the summary for the
    unit and the day until the data changes: a dashboard computed for someone signed in does
    not count it again."""
    today = today or timezone.localdate()
    if keep is not None:
        return keep(
            "cycle-summary",
            (*CYCLE_READS, locality_id, today),
            lambda: cycle_summary(locality_id, today),
        )
    approved = Plan.objects.filter(year=today.year, status=PlanStatus.APPROVED)
    plans = []
    if approved.exists():  # none, most of the year in most places: one look at an index
        in_force = _in_force(WHOLE, today).values("pk")
        plans = progress_of(approved.filter(agreement__in=in_force), today)
    rows, occasion = _meetings(WHOLE, today, overdue=True)
    cadence = list(rows)
    if locality_id is not None:
        kept = _covering(
            locality_id, {p.plan.agreement_id for p in plans} | {a.pk for a in cadence}
        )
        plans = [p for p in plans if p.plan.agreement_id in kept]
        cadence = [a for a in cadence if a.pk in kept]
    items = {}
    for plan in plans:
        for progress in plan.items:
            items[progress.status] = items.get(progress.status, 0) + 1
    return CycleSummary(
        year=today.year,
        plans=len(plans),
        items=items,
        with_cadence=len(cadence),
        overdue=sum(1 for row in cadence if occasion(row) is not None),
    )


def _covering(locality_id, agreement_ids):
    """Those of `agreement_ids` with a party that is the unit or lies below it, or below a unit
    it succeeded (a ward formed by the 2025 merger counts its communes' agreements, as its
    dashboard's figures do: localities.tree.area_ids)."""
    if not agreement_ids:
        return set()
    parties = list(
        Party.objects.filter(agreement_id__in=agreement_ids).values_list(
            "agreement_id", "locality_id"
        )
    )
    lineage = set(tree.lineage_ids(locality_id))
    above = tree.chains({locality for _agreement, locality in parties})
    return {agreement for agreement, locality in parties if lineage & above.get(locality, set())}


def published_meetings():
    """The review meetings of published agreements as the open data gives them
    (ketnghia.exports): the meeting (with its agreement's slug and title), how many decisions
    it took and how many of them are done; signed first, then by day. One query; the rows
    are streamed. The minutes and the names of the people present stay staff's."""
    decisions = Count("follow_ups")
    done = Count("follow_ups", filter=Q(follow_ups__done_on__isnull=False))
    return (
        Meeting.objects.filter(agreement__status=AgreementStatus.PUBLISHED)
        .order_by("agreement__signed_on", "agreement_id", "held_on", "id")
        .annotate(decisions=decisions, decisions_done=done)
        .values_list(
            "id",
            "agreement__slug",
            "agreement__title",
            "kind",
            "held_on",
            "place",
            "decisions",
            "decisions_done",
        )
        .iterator()
    )


def meetings_present():
    """(meeting id, party name) of the parties present at the meetings of published agreements,
    in published_meetings()'s order, so that one pass joins the two. One query, streamed."""
    return (
        MeetingAttendance.objects.filter(meeting__agreement__status=AgreementStatus.PUBLISHED)
        .order_by(
            "meeting__agreement__signed_on",
            "meeting__agreement_id",
            "meeting__held_on",
            "meeting_id",
            "id",
        )
        .values_list("meeting_id", "locality__name")
        .iterator()
    )

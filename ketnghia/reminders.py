"""The reminders of the twinning year: each occasion of the day (activities.reports.cycle) told
once to every staff account whose scope covers its agreement, in the account's inbox and by
e-mail (ketnghia.tasks runs it daily on the job queue; `manage.py send_reminders` by hand).

Once: a reminder is a row per account and occasion (Reminder.key, unique), so that a run finds
only what is new since the last one, and a second run the same day sends nothing. An e-mail
goes at once, or in the Monday digest for an account that asked for one (ReminderSettings);
never for a kind the account muted, which still reaches its inbox. An account with no e-mail
address reads its inbox only.

The accounts in scope of an agreement: active staff who may see agreements (a role, or a
superuser) and see the whole province, or are in charge of one of its parties or a unit above
one (localities.scopes).
"""

import datetime
from collections import defaultdict
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from activities.reports.cycle import OccasionKind, occasions
from agreements.models import Party
from ketnghia import inbox
from ketnghia.models import Reminder, ReminderSettings
from localities import tree
from localities.models import StaffLocality

CHUNK = 500


def _chunks(values, size=CHUNK):
    values = iter(values)
    while chunk := list(islice(values, size)):
        yield chunk


def _granted(codename, app_label):
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)


def accounts_in_scope(agreement_ids):
    """{agreement id: the ids of the accounts whose scope covers it}."""
    staff = get_user_model().objects.filter(is_active=True, is_staff=True)
    readers = staff.filter(Q(is_superuser=True) | _granted("view_agreement", "agreements"))
    readers = set(readers.values_list("pk", flat=True).distinct())
    whole = staff.filter(Q(is_superuser=True) | _granted("whole_province", "localities"))
    whole = readers & set(whole.values_list("pk", flat=True).distinct())
    in_charge = defaultdict(set)  # locality id → the accounts in charge of it
    for user_id, locality_id in StaffLocality.objects.filter(user__in=readers).values_list(
        "user_id", "locality_id"
    ):
        in_charge[locality_id].add(user_id)
    parties = defaultdict(set)
    for chunk in _chunks(agreement_ids):
        for agreement_id, locality_id in Party.objects.filter(agreement__in=chunk).values_list(
            "agreement_id", "locality_id"
        ):
            parties[agreement_id].add(locality_id)
    above = {}
    for chunk in _chunks({pk for ids in parties.values() for pk in ids}):
        above.update(tree.chains(chunk))
    result = {}
    for agreement_id in agreement_ids:
        covering = set().union(*(above.get(pk, {pk}) for pk in parties.get(agreement_id, ())))
        result[agreement_id] = whole | {u for pk in covering for u in in_charge.get(pk, ())}
    return result


def _settings_of(user_ids):
    """{account id: its ReminderSettings}, for those that have any (staff accounts: few)."""
    return {s.user_id: s for s in ReminderSettings.objects.filter(user__in=list(user_ids))}


def deliver(today=None):
    """Today's occasions to the accounts in scope: the new reminders, made and e-mailed.
    Returns them."""
    now = timezone.now() if today is None else _morning(today)
    today = today or timezone.localdate()
    found = {occasion.key: occasion for occasion in occasions(today)}
    if not found:
        return []
    accounts = accounts_in_scope({o.agreement_id for o in found.values()})
    known = set()
    for chunk in _chunks(found):
        known |= set(Reminder.objects.filter(key__in=chunk).values_list("user_id", "key"))
    new = [
        Reminder(
            user_id=user_id,
            kind=occasion.kind,
            key=occasion.key,
            agreement_id=occasion.agreement_id,
            on=occasion.on,
            path=occasion.path,
            facts=occasion.facts,
            created_at=now,
        )
        for occasion in found.values()
        for user_id in sorted(accounts.get(occasion.agreement_id, ()))
        if (user_id, occasion.key) not in known
    ]
    # Another run at the same time (a second consumer) made the same rows: kept once.
    Reminder.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    if new:
        inbox.badges_changed()  # bulk_create sends no signal
    pairs = {(r.user_id, r.key) for r in new}
    made = []
    for chunk in _chunks({r.key for r in new}):
        rows = Reminder.objects.filter(key__in=chunk)
        made += [r for r in rows if (r.user_id, r.key) in pairs]
    # Every reminder still to e-mail, not only today's: a run that failed half-way (the mail
    # server down) is made good by the next one, its retry or the next day's.
    _email(_waiting(now, digest=False), now=now)
    return made


def send_digests(today=None):
    """The Monday e-mail of the accounts that asked for one: their reminders not e-mailed
    yet."""
    now = timezone.now() if today is None else _morning(today)
    _email(_waiting(now, digest=True), weekly=True, now=now)


# A reminder not e-mailed within this time (a mail server down for weeks, a muted kind) is read
# in the inbox only: an e-mail of old news would bury today's.
EMAIL_WITHIN = datetime.timedelta(days=14)


def _waiting(now, digest):
    """The reminders to e-mail: not e-mailed yet, made within EMAIL_WITHIN, to accounts with
    an address that asked for a weekly digest (`digest`) or not."""
    digesters = ReminderSettings.objects.filter(weekly_digest=True).values("user_id")
    rows = Reminder.objects.filter(
        emailed_at__isnull=True, created_at__gte=now - EMAIL_WITHIN, created_at__lte=now
    ).exclude(user__email="")
    rows = rows.filter(user__in=digesters) if digest else rows.exclude(user__in=digesters)
    return list(rows.select_related("user", "agreement"))


def _morning(day):
    """A day given to the job (a test's simulated day): its reminders are dated that morning."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 30)))


def _email(reminders, weekly=False, now=None):
    """One e-mail per account, of its reminders of kinds it did not mute; each marked sent
    once its e-mail is."""
    choices = _settings_of({r.user_id for r in reminders})
    by_user = defaultdict(list)
    for reminder in reminders:
        muted = getattr(choices.get(reminder.user_id), "muted", ()) or ()
        if reminder.user.email and reminder.kind not in muted:
            by_user[reminder.user].append(reminder)
    for user, own in by_user.items():
        own.sort(key=lambda r: (OccasionKind.VALUES.index(r.kind), r.on, r.pk))
        with translation.override(settings.LANGUAGE_CODE):
            message = _message(user, own, weekly)
        message.send()
        Reminder.objects.filter(pk__in=[r.pk for r in own]).update(emailed_at=now or timezone.now())


def _message(user, reminders, weekly):
    context = {
        "user": user,
        "name": user.get_full_name() or user.get_username(),
        "reminders": reminders,
        "weekly": weekly,
        "site_url": settings.SITE_URL,
        "inbox_url": settings.SITE_URL + reverse("admin:inbox"),
        "settings_url": settings.SITE_URL + reverse("admin:reminder_settings"),
    }
    subject = ngettext(
        "[Twinning] %(count)d thing needs your attention",
        "[Twinning] %(count)d things need your attention",
        len(reminders),
    ) % {"count": len(reminders)}
    message = EmailMultiAlternatives(
        subject,
        render_to_string("emails/reminders.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    message.attach_alternative(render_to_string("emails/reminders.html", context), "text/html")
    return message

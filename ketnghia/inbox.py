"""The staff's inbox of reminders (ketnghia.reminders), their reminder settings, and the work
list of their scope (activities.reports.cycle): pages of the admin site (ketnghia.admin_site)."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, When
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.reports.cycle import OccasionKind, work_list
from agreements.models import Agreement, Party
from ketnghia import pagecache, permissions
from ketnghia.models import Reminder, ReminderSettings, ReportFile, ReportFileStatus
from localities.models import StaffLocality
from localities.scopes import scope_of

PAGE_SIZE = 50


def _context(admin_site, request, title):
    return {**admin_site.each_context(request), "title": title, "subtitle": None}


def reminders_of(user):
    """The account's reminders about agreements still in its charge: once a role or a commune
    is taken from it, the reminders of agreements it no longer sees leave its inbox and badge
    (no query of its own: the scope is read once a request)."""
    found = Reminder.objects.filter(user=user)
    if not (user.is_superuser or user.has_perm("agreements.view_agreement")):
        return found.none()
    scope = scope_of(user)
    if scope.is_whole:
        return found
    return found.filter(agreement__in=Agreement.objects.within(scope).values("pk"))


def report_files_ready(user):
    """The files of written reports the account asked for, made (or failed) by the job queue
    since it last looked: told in its inbox until it downloads them or marks all read."""
    return ReportFile.objects.filter(
        requested_by=user,
        seen_at__isnull=True,
        status__in=[ReportFileStatus.DONE, ReportFileStatus.FAILED],
    )


def count_unread(user):
    """Unread reminders and report files ready, in one query."""
    reminders = reminders_of(user).filter(read_at__isnull=True).order_by().values("pk")
    files = report_files_ready(user).order_by().values("pk")
    return reminders.union(files, all=True).count()


# The badge of every admin page is kept in the shared cache, as the permissions are
# (ketnghia.permissions): counted again once the inbox's version or the permissions' changes.
# The inbox's version is replaced, at once and again on commit (a request between the two keeps
# its count under a version that is gone), when a reminder, a report file, a staff member's
# place or an agreement's party is saved or deleted, and by badges_changed() after a write that
# sends no signal (the reminder job's bulk_create, the inbox's "mark all read"). A change of
# the register's tree (a commune moved under another province) reaches a commune's staff when
# the kept count expires: INBOX_BADGE_CACHE_SECONDS.
BADGE_VERSION_KEY = "inbox:version"


def _badge_key(user):
    return f"inbox:unread:{user.pk}"


def unread_count(user):
    """The badge beside "Inbox": count_unread(user), from the cache while nothing it counts
    has changed (a fifth of an admin list's own time, counted on every page)."""
    seconds = settings.INBOX_BADGE_CACHE_SECONDS
    if not seconds:
        return count_unread(user)
    key = _badge_key(user)
    found = cache.get_many([BADGE_VERSION_KEY, permissions.VERSION_KEY, key])
    version = (found.get(BADGE_VERSION_KEY), found.get(permissions.VERSION_KEY))
    kept = found.get(key)
    if kept is not None and None not in version and kept[0] == version:
        return kept[1]
    count = count_unread(user)
    if version[0] is None:
        _replace()
    elif version[1] is not None:
        cache.set(key, (version, count), seconds)
    return count


def _replace():
    cache.set(BADGE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def badges_changed(using=None, **kwargs):
    """Every kept badge is counted again: at once, and again when the transaction commits.
    Call it after a write of reminders or report files that sends no signal."""
    _replace()
    transaction.on_commit(_replace, using=using)


def connect():
    for model in (Reminder, ReportFile, StaffLocality, Party):
        label = model._meta.label
        post_save.connect(badges_changed, sender=model, dispatch_uid=f"badges-saved-{label}")
        post_delete.connect(badges_changed, sender=model, dispatch_uid=f"badges-deleted-{label}")


def inbox(admin_site, request):
    """The account's reminders, newest first, the unread marked; a POST marks them all read."""
    # The newest first; of a day, the most pressing first (the work list's order).
    pressing = Case(
        *(When(kind=kind, then=n) for n, kind in enumerate(OccasionKind.VALUES)),
        default=len(OccasionKind.VALUES),
    )
    reminders = (
        reminders_of(request.user)
        .select_related("agreement")
        .order_by("-created_at", pressing, "on", "-id")
    )
    if request.method == "POST":
        now = timezone.now()
        done = reminders.filter(read_at__isnull=True).update(read_at=now)
        done += report_files_ready(request.user).update(seen_at=now)
        badges_changed()
        if done:
            messages.success(request, _("Every reminder is marked as read."))
        return HttpResponseRedirect(reverse("admin:inbox"))
    page = Paginator(reminders, PAGE_SIZE).get_page(request.GET.get("p"))
    context = {
        **_context(admin_site, request, _("Inbox")),
        "page_obj": page,
        "unread": reminders.filter(read_at__isnull=True).count(),
        "files_ready": report_files_ready(request.user)
        .select_related("report__agreement", "report__locality")
        .order_by("-finished_at")[:PAGE_SIZE],
    }
    return TemplateResponse(request, "admin/inbox.html", context)


def open_reminder(admin_site, request, pk):
    """A reminder read: marked so, and the page where it is dealt with opened (POST)."""
    reminder = get_object_or_404(reminders_of(request.user), pk=pk)
    if request.method == "POST" and reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
    target = reminder.path
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith(
        "/"
    ):
        target = reverse("admin:inbox")
    return HttpResponseRedirect(target)


class ReminderSettingsForm(forms.ModelForm):
    muted = forms.MultipleChoiceField(
        label=gettext_lazy("No e-mail for"),
        choices=OccasionKind.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("These still reach your inbox."),
    )

    class Meta:
        model = ReminderSettings
        fields = ["weekly_digest", "muted"]


def reminder_settings(admin_site, request):
    current = ReminderSettings.objects.filter(user=request.user).first()
    current = current or ReminderSettings(user=request.user)
    form = ReminderSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your reminder settings are saved."))
        return HttpResponseRedirect(reverse("admin:reminder_settings"))
    context = {
        **_context(admin_site, request, _("Reminder settings")),
        "form": form,
        "has_email": bool(request.user.email),
    }
    return TemplateResponse(request, "admin/reminder_settings.html", context)


def worklist(admin_site, request):
    """What needs attention today in the account's scope, kind by kind: for an account that
    may see agreements (a role), as its reminders are."""
    today = timezone.localdate()
    may_see = request.user.has_perm("agreements.view_agreement")
    context = {
        **_context(admin_site, request, _("Work list")),
        "kinds": work_list(scope_of(request.user), today, keep=pagecache.kept) if may_see else [],
        "today": today,
    }
    return TemplateResponse(request, "admin/worklist.html", context)

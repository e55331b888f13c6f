"""What the public sends the site: reports of an error on a page, answered from the admin."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErrorReportStatus(models.TextChoices):
    NEW = "new", _("New")
    ANSWERED = "answered", _("Answered")
    SET_ASIDE = "set_aside", _("Set aside")


class ErrorReport(models.Model):
    """A reader's note that a page is wrong ("the date of the signing is 2024, not 2023")."""

    page = models.CharField(_("page"), max_length=500, blank=True)
    message = models.TextField(_("what is wrong"), max_length=2000)
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    received = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    # An HMAC of the sender's address: enough to throttle a flood, not to find the sender.
    sender = models.CharField(_("sender's address (hashed)"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ErrorReportStatus.choices,
        default=ErrorReportStatus.NEW,
        db_index=True,
    )
    answer = models.TextField(
        _("answer"),
        blank=True,
        help_text=_("Sent by e-mail to the reader when they gave an address, and kept here."),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        ordering = ["-received"]

    def __str__(self):
        return f"{self.page or '/'} · {self.message[:60]}"


class Reminder(models.Model):
    """One occasion of the twinning year (activities.reports.cycle) told to one account: in its
    inbox, and by e-mail unless it opted out of the kind. Made once per occasion and account
    (the key), however often the daily job runs (ketnghia.reminders)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=30)
    key = models.CharField(_("occasion"), max_length=120)
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    on = models.DateField(_("day"))
    path = models.CharField(_("link"), max_length=300)
    facts = models.JSONField(_("facts"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="ketnghia_reminder_once"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="ketnghia_reminder_unread"),
            # The daily run: which occasions were told already, which are still to e-mail.
            models.Index(fields=["key"], name="ketnghia_reminder_key"),
            models.Index(fields=["emailed_at", "created_at"], name="ketnghia_reminder_to_send"),
        ]

    def __str__(self):
        return self.text

    @property
    def label(self):
        from activities.reports.cycle import OccasionKind

        return OccasionKind.LABELS.get(self.kind, self.kind)

    @property
    def text(self):
        from activities.reports.cycle import describe

        return describe(self.kind, self.facts)


class ReminderSettings(models.Model):
    """An account's choices about its reminders: the kinds it gets no e-mail for (they still
    reach its inbox), and one weekly e-mail instead of one a day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="reminder_settings",
    )
    weekly_digest = models.BooleanField(
        _("one e-mail a week"),
        default=False,
        help_text=_("On Monday mornings, instead of an e-mail on each day with new reminders."),
    )
    muted = models.JSONField(_("kinds not e-mailed"), default=list, blank=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return str(self.user)

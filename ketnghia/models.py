"""What the public sends the site: reports of an error on a page, answered from the admin."""

import datetime
import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import HISTORY_YEARS


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


class ReportKind(models.TextChoices):
    ANNUAL = "annual", _("Yearly report")
    INTERIM = "interim", _("Interim review (sơ kết)")
    FINAL = "final", _("Final review (tổng kết)")


class ReportScope(models.TextChoices):
    AGREEMENT = "agreement", _("One agreement")
    LOCALITY = "locality", _("One locality and its agreements")
    PROVINCE = "province", _("The province")


class WrittenReport(models.Model):
    """A written report (ketnghia.written) for a scope and a period: what staff write in it
    and its heading and signature; its figures, tables and photos are generated each time a
    file is made (ReportFile), from the reports package."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=ReportScope.choices)
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    locality = models.ForeignKey(
        "localities.Locality",
        verbose_name=_("locality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    year_from = models.PositiveSmallIntegerField(
        _("from the year"),
        null=True,
        blank=True,
        help_text=_("Empty: since the signing (an agreement) or since the first record."),
        validators=HISTORY_YEARS,
    )
    year_to = models.PositiveSmallIntegerField(_("to the year"), validators=HISTORY_YEARS)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    include_drafts = models.BooleanField(
        _("count drafts (staff copy)"),
        default=False,
        help_text=_(
            "Counts the agreements still in draft in your charge, each marked, and says so under "
            "the subject: a copy for the staff, not the report to file."
        ),
    )
    issuer_parent = models.CharField(
        _("superior body"), max_length=200, blank=True, help_text=_("e.g. UBND TỈNH GIA LAI.")
    )
    issuer = models.CharField(
        _("issuing body"),
        max_length=200,
        blank=True,
        help_text=_(
            "e.g. ỦY BAN NHÂN DÂN XÃ IA DƠK. Empty: the people's committee of the locality or of "
            "the agreement's first party, with its number and signature."
        ),
    )
    number = models.CharField(
        _("number"),
        max_length=60,
        blank=True,
        help_text=_(
            "Written after “Số:”, e.g. 15/BC-UBND; spaces leave room to write it. Empty: "
            "“/BC-UBND” for a people's committee, “/BC” for another body, with room before it."
        ),
    )
    place = models.CharField(
        _("place"),
        max_length=100,
        blank=True,
        help_text=_(
            "Before the date, e.g. Ia Dơk. Empty: the commune's or ward's name, else the "
            "province's."
        ),
    )
    dated = models.DateField(_("date"), default=timezone.localdate)
    subject = models.CharField(
        _("subject"),
        max_length=300,
        blank=True,
        help_text=_("Under “BÁO CÁO”. Empty: written from the kind, the scope and the period."),
    )
    situation = models.TextField(_("I. Situation"), blank=True)
    results = models.TextField(
        _("II. Results, in words"), blank=True, help_text=_("Before the generated tables.")
    )
    assessment = models.TextField(_("III. Strengths, shortcomings and causes"), blank=True)
    lessons = models.TextField(_("IV. Lessons"), blank=True)
    direction = models.TextField(_("V. Direction and tasks for the next period"), blank=True)
    proposals = models.TextField(_("VI. Proposals"), blank=True)
    recipients = models.TextField(
        _("copies to"),
        blank=True,
        help_text=_("One a line, e.g. “UBND tỉnh (b/c);”. “Lưu: VT” is added at the end."),
    )
    signer_authority = models.CharField(
        _("signing for"), max_length=100, blank=True, help_text=_("e.g. TM. ỦY BAN NHÂN DÂN.")
    )
    signer_position = models.CharField(
        _("signer's position"), max_length=100, blank=True, help_text=_("e.g. CHỦ TỊCH.")
    )
    signer_name = models.CharField(_("signer's name"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("written report")
        verbose_name_plural = _("written reports")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="agreement", agreement__isnull=False, locality__isnull=True)
                    | models.Q(scope="locality", agreement__isnull=True, locality__isnull=False)
                    | models.Q(scope="province", agreement__isnull=True, locality__isnull=True)
                ),
                name="ketnghia_writtenreport_scope",
                violation_error_message=_("Choose the agreement or the locality of the scope."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.scope_name} · {self.period_label}"

    @property
    def scope_name(self):
        if self.scope == ReportScope.AGREEMENT and self.agreement_id:
            return str(self.agreement)
        if self.scope == ReportScope.LOCALITY and self.locality_id:
            return str(self.locality)
        return settings.PROVINCE_NAME

    @property
    def period_label(self):
        if self.year_from is None:
            return _("to %(year)s") % {"year": self.year_to}
        if self.year_from == self.year_to:
            return str(self.year_to)
        return f"{self.year_from}\N{EN DASH}{self.year_to}"


class ReportFormat(models.TextChoices):
    DOCX = "docx", _("Word (.docx)")
    PDF = "pdf", _("PDF")


class ReportFileStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_file_to(instance, filename):
    """An address nobody can guess: the files are handed out by the admin to staff in scope."""
    return f"reports/{secrets.token_urlsafe(18)}/{filename}"


class ReportFile(models.Model):
    """One file made of a written report, kept for download: the report's history."""

    report = models.ForeignKey(
        WrittenReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="files"
    )
    format = models.CharField(_("format"), max_length=5, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportFileStatus.choices,
        default=ReportFileStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    include_drafts = models.BooleanField(_("drafts counted"), default=False)
    file = models.FileField(_("file"), upload_to=report_file_to, blank=True, max_length=300)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds to make"), null=True, blank=True)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "seen_at"], name="ketnghia_reportfile_unseen"),
        ]

    def __str__(self):
        return f"{self.report} ({self.get_format_display()})"

    # A file still waiting or being made this long after it was asked for will not be: its
    # consumer stopped. It is shown as failed, and may be asked for again.
    LOST_AFTER = datetime.timedelta(hours=1)

    @property
    def is_lost(self):
        waiting = self.status in (ReportFileStatus.QUEUED, ReportFileStatus.RUNNING)
        return waiting and timezone.now() - self.requested_at > self.LOST_AFTER


@receiver(post_delete, sender=ReportFile)
def _forget_the_file(sender, instance, **kwargs):
    """A report file's row deleted (with its report, or its agreement), its file goes too,
    once the deletion is committed."""
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))

"""What the public sends the site: reports of an error on a page, answered from the admin."""

from django.conf import settings
from django.db import models
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

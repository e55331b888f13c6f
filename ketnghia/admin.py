"""Error reports from the public (ketnghia.public.error_reports), read and answered here."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ketnghia.models import ErrorReport, ErrorReportStatus


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    """What readers report, read and answered by the province's administrators and reviewers
    (ketnghia 0002). Nobody adds one here; the reader's words stay as they were sent."""

    list_display = ["received", "status", "page_link", "excerpt", "has_email"]
    list_filter = ["status"]
    search_fields = ["message", "page", "name"]
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["received", "page_link", "message", "name", "email", "language"]}),
        (_("Answer"), {"fields": ["status", "answer", "answered_by", "answered"]}),
    ]
    readonly_fields = [
        "received",
        "page_link",
        "message",
        "name",
        "email",
        "language",
        "answered_by",
        "answered",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("page"), ordering="page")
    def page_link(self, report):
        if not report.page:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', report.page, report.page
        )

    @admin.display(description=_("what is wrong"))
    def excerpt(self, report):
        return Truncator(report.message).chars(90)

    @admin.display(description=_("e-mail given"), boolean=True)
    def has_email(self, report):
        return bool(report.email)

    def get_readonly_fields(self, request, obj=None):
        # Once sent, an answer is what the reader received: it is no longer edited here.
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.answered is not None:
            return [*fields, "answer"]
        return fields

    def save_model(self, request, obj, form, change):
        """The first answer is sent to the reader (when they gave an address) before it is
        recorded as answered: a failed sending leaves the report unanswered, to try again."""
        if obj.answer.strip() and obj.answered is None:
            try:
                if obj.email:
                    send_answer(obj)
            except OSError as error:  # smtplib's errors included
                self.message_user(
                    request,
                    _(
                        "The answer could not be sent to %(email)s (%(error)s). It is kept: "
                        "save again to send it."
                    )
                    % {"email": obj.email, "error": error},
                    messages.ERROR,
                )
            else:
                obj.status = ErrorReportStatus.ANSWERED
                obj.answered_by = request.user
                obj.answered = timezone.now()
                if obj.email:
                    self.message_user(
                        request, _("The answer was sent to %(email)s.") % {"email": obj.email}
                    )
        super().save_model(request, obj, form, change)


def send_answer(report):
    """The staff's answer to the reader, in the language they wrote in; replies go to the
    site's contact address when there is one."""
    with translation.override(report.language or "vi"):
        subject = str(_("Answer to your error report"))
        body = render_to_string("emails/error_report_answer.txt", {"report": report})
    reply_to = [settings.CONTACT_EMAIL] if settings.CONTACT_EMAIL else None
    EmailMessage(subject, body, to=[report.email], reply_to=reply_to).send()

"""Error reports from the public (ketnghia.public.error_reports), read and answered here."""

from django.contrib import admin
from django.core.mail import send_mail
from django.db import transaction
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

    def save_model(self, request, obj, form, change):
        answered = "answer" in form.changed_data and obj.answer.strip()
        if answered:
            obj.status = ErrorReportStatus.ANSWERED
            obj.answered_by = request.user
            obj.answered = timezone.now()
        super().save_model(request, obj, form, change)
        if answered and obj.email:
            transaction.on_commit(lambda: send_answer(obj))
            self.message_user(request, _("The answer is sent to %(email)s.") % {"email": obj.email})


def send_answer(report):
    """The staff's answer to the reader, in the language they wrote in."""
    with translation.override(report.language or "vi"):
        subject = str(_("Answer to your error report"))
        body = render_to_string("emails/error_report_answer.txt", {"report": report})
    send_mail(subject, body, None, [report.email])

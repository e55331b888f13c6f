"""Error reports from the public (ketnghia.public.error_reports), read and answered here; the
written reports (ketnghia.written), written and made into files here."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from ketnghia import written
from ketnghia.models import (
    ErrorReport,
    ErrorReportStatus,
    ReportFile,
    ReportFileStatus,
    ReportFormat,
    ReportScope,
    WrittenReport,
)
from ketnghia.written import outline
from localities.admin import NotFoundMixin
from localities.models import Locality
from localities.scopes import scope_of


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


# --- Written reports (ketnghia.written) --------------------------------------------------------


def reports_in_scope(queryset, user):
    """Reports on what a staff account may see: an agreement or a locality in its scope; the
    province's only for province staff."""
    scope = scope_of(user)
    if scope.is_whole:
        return queryset
    return queryset.filter(
        Q(agreement__in=Agreement.objects.within(scope).values("pk"))
        | Q(locality__in=Locality.objects.filter(scope.localities()).values("pk"))
    )


NARRATIVE = ["situation", "results", "assessment", "lessons", "direction", "proposals"]


class WrittenReportForm(forms.ModelForm):
    class Meta:
        model = WrittenReport
        fields = [
            "kind",
            "scope",
            "agreement",
            "locality",
            "year_from",
            "year_to",
            "language",
            "issuer_parent",
            "issuer",
            "number",
            "place",
            "dated",
            "subject",
            *NARRATIVE,
            "recipients",
            "signer_authority",
            "signer_position",
            "signer_name",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 5, "cols": 80}) for name in NARRATIVE} | {
            "recipients": forms.Textarea(attrs={"rows": 4, "cols": 60})
        }

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        agreement, locality = data.get("agreement"), data.get("locality")
        if scope == ReportScope.AGREEMENT:
            if agreement is None and "agreement" not in self.errors:
                self.add_error("agreement", _("Choose the agreement the report is on."))
            data["locality"] = None
        elif scope == ReportScope.LOCALITY:
            if locality is None and "locality" not in self.errors:
                self.add_error("locality", _("Choose the locality the report is on."))
            data["agreement"] = None
        elif scope == ReportScope.PROVINCE:
            if not self.user_scope.is_whole:
                self.add_error("scope", _("Only province staff report on the whole province."))
            data["agreement"] = data["locality"] = None
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_from", _("The first year comes before the last one."))
        return data


@admin.register(WrittenReport)
class WrittenReportAdmin(NotFoundMixin, admin.ModelAdmin):
    """Written reports for a scope and a period: staff write the narrative parts beside the
    generated ones, and make .docx and PDF files of it (kept, with their progress, below)."""

    form = WrittenReportForm
    list_display = ["__str__", "kind", "scope", "updated_at", "files_made"]
    list_filter = ["kind", "scope"]
    search_fields = ["subject", "agreement__search_key", "locality__search_key", "issuer"]
    list_select_related = ["agreement", "locality"]
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ["agreement", "locality"]
    fieldsets = [
        (
            _("Scope and period"),
            {
                "fields": [
                    "kind",
                    "scope",
                    "agreement",
                    "locality",
                    "year_from",
                    "year_to",
                    "language",
                    "include_drafts",
                ]
            },
        ),
        (
            _("Heading and signature"),
            {
                "fields": [
                    ("issuer_parent", "issuer"),
                    ("number", "place", "dated"),
                    "subject",
                    ("signer_authority", "signer_position", "signer_name"),
                    "recipients",
                ]
            },
        ),
        (
            _("What staff write"),
            {
                "fields": [
                    "situation",
                    "results",
                    "assessment",
                    "lessons",
                    "direction",
                    "proposals",
                ],
                "description": _(
                    "Each line is a paragraph. A part left empty is a dotted line to write on."
                ),
            },
        ),
    ]
    # The files made of a report shown on its page, the latest first.
    FILES_SHOWN = 50
    change_form_template = "admin/ketnghia/writtenreport/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(file_count=Count("files"))
        return reports_in_scope(queryset, request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user_scope = scope_of(request.user)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = scope_of(request.user)
        if db_field.name == "agreement":
            kwargs["queryset"] = Agreement.objects.within(scope)
        elif db_field.name == "locality":
            kwargs["queryset"] = Locality.objects.filter(scope.localities())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A report points to an agreement or a locality; it never adds or edits one (the
        # wrapper with those buttons is made here, around the field's own widget).
        if db_field.name in ("agreement", "locality"):
            wrapper = field.widget
            wrapper.can_add_related = wrapper.can_change_related = False
            wrapper.can_delete_related = wrapper.can_view_related = False
        return field

    def autocomplete_choices(self, request, field_name, queryset):
        """The agreements and localities of the account's scope."""
        scope = scope_of(request.user)
        if field_name == "locality":
            return queryset.filter(scope.localities())
        if field_name == "agreement":
            return queryset.filter(pk__in=Agreement.objects.within(scope).values("pk"))
        return queryset

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        written.fill_heading(obj)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("files"), ordering="file_count")
    def files_made(self, report):
        return report.file_count

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """A saved report's page shows, under the form, the parts the figures write, as its
        files will (the saved version: the photos by their captions), and the files made of it
        with their progress."""
        if obj is not None:
            with translation.override(obj.language):
                context["generated"] = outline.build(
                    obj,
                    include_drafts=obj.include_drafts,
                    drafts_scope=written.drafts_scope(request.user),
                    with_photos=False,
                )
            files = list(obj.files.select_related("requested_by")[: self.FILES_SHOWN + 1])
            context["files"] = [
                (made, self._may_download(request, made)) for made in files[: self.FILES_SHOWN]
            ]
            context["more_files"] = len(files) > self.FILES_SHOWN
            context["can_make"] = self.has_change_permission(request, obj)
            context["formats"] = ReportFormat.choices
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _may_download(request, report_file):
        """A staff copy (drafts counted in its requester's scope) goes to its requester and to
        province staff only: another account of the report's scope may have fewer drafts in
        its charge. Every other file goes to whoever sees the report."""
        if not report_file.include_drafts:
            return True
        return report_file.requested_by_id == request.user.pk or scope_of(request.user).is_whole

    def get_urls(self):
        return [
            path(
                "<int:pk>/make/<str:format>/",
                self.admin_site.admin_view(self.make_view),
                name="ketnghia_writtenreport_make",
            ),
            path(
                "<int:pk>/file/<int:file_pk>/",
                self.admin_site.admin_view(self.download_view),
                name="ketnghia_writtenreport_file",
            ),
            path(
                "<int:pk>/file/<int:file_pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="ketnghia_writtenreport_file_progress",
            ),
            *super().get_urls(),
        ]

    def make_view(self, request, pk, format):
        """POST: make a file of the report. A small report's file is the answer; a large one's
        is made by the job queue, the page showing its progress."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        if format not in ReportFormat.values or not self.has_change_permission(request, report):
            raise PermissionDenied
        try:
            report_file = written.request_file(report, format, request.user)
        except Exception as error:  # kept on the file's row, told here
            self.message_user(
                request,
                _("The file could not be made: %(error)s") % {"error": error},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:ketnghia_writtenreport_change", args=[pk]))
        if report_file.status == ReportFileStatus.DONE:
            return self._file_response(request, report_file)
        self.message_user(
            request,
            _(
                "The file is being made by the job queue: its progress shows below, and your "
                "inbox tells you when it is ready."
            ),
        )
        return HttpResponseRedirect(
            reverse("admin:ketnghia_writtenreport_change", args=[pk]) + "#files"
        )

    def _reachable_file(self, request, pk, file_pk):
        """A file of a report the account may see (403 without the permission to see any,
        404 out of its scope)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        reports = self.get_queryset(request).filter(pk=pk)
        report_file = get_object_or_404(
            ReportFile.objects.select_related("report").filter(report__in=reports.values("pk")),
            pk=file_pk,
        )
        if not self._may_download(request, report_file):
            raise Http404
        return report_file

    def _file_response(self, request, report_file):
        if report_file.requested_by_id == request.user.pk and report_file.seen_at is None:
            report_file.seen_at = timezone.now()
            report_file.save(update_fields=["seen_at"])
        name = report_file.file.name.rsplit("/", 1)[-1]
        response = FileResponse(
            report_file.file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type=written.CONTENT_TYPES[report_file.format],
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def download_view(self, request, pk, file_pk):
        """A made file, to staff who may see its report."""
        report_file = self._reachable_file(request, pk, file_pk)
        if report_file.status != ReportFileStatus.DONE:
            raise Http404
        return self._file_response(request, report_file)

    def progress_view(self, request, pk, file_pk):
        """The progress of a file being made, for its page to show (JSON)."""
        report_file = self._reachable_file(request, pk, file_pk)
        return JsonResponse(
            {
                "status": report_file.status,
                "status_label": str(report_file.get_status_display()),
                "progress": report_file.progress,
                "step": report_file.step,
                "download": reverse("admin:ketnghia_writtenreport_file", args=[pk, file_pk])
                if report_file.status == ReportFileStatus.DONE
                else "",
            },
            headers={"Cache-Control": "private, no-store"},
        )

"""Written reports (báo cáo năm, sơ kết, tổng kết) as .docx and PDF: outline.py says what a
report holds, from the reports package; docx.py and pdf.py lay it out in the Decree 30/2020
layout. A file is made in the request when the report is small, else by the job queue
(ketnghia.tasks.make_report_file), its progress kept on its ReportFile, the requester told
in the inbox when it is ready (ketnghia.inbox)."""

import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from redis.exceptions import RedisError

from activities.reports import DashboardFilters, rules
from agreements.models import Agreement, Photo
from ketnghia.models import ReportFile, ReportFileStatus, ReportFormat, ReportScope
from ketnghia.written import docx, outline, pdf
from ketnghia.written.outline import fill_heading
from localities.scopes import WHOLE, scope_of

__all__ = [
    "CONTENT_TYPES",
    "RENDERERS",
    "claim",
    "drafts_scope",
    "fill_heading",
    "is_large",
    "make",
    "request_file",
]

RENDERERS = {ReportFormat.DOCX: docx.render, ReportFormat.PDF: pdf.render}
CONTENT_TYPES = {
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.PDF: "application/pdf",
}


def is_large(report):
    """Whether a report is made by the job queue: the province's, a locality's over more than
    REPORT_INLINE_YEARS years, or one with more than REPORT_INLINE_PHOTOS photos. A few
    queries (none for the province)."""
    if report.scope == ReportScope.PROVINCE:
        return True
    first = report.year_from
    if report.scope == ReportScope.AGREEMENT:
        agreements = Agreement.objects.filter(pk=report.agreement_id)
    else:
        if first is None or report.year_to - first >= settings.REPORT_INLINE_YEARS:
            return True
        # The locality's agreements as its report counts them: those of the units below it
        # and of the units it succeeded too.
        filters = DashboardFilters(locality=report.locality, include_drafts=True)
        agreements = rules.counted_agreements(rules.ask(filters))
    photos = Photo.objects.filter(agreement__in=agreements.values("pk"), is_placeholder=False)
    return photos[: settings.REPORT_INLINE_PHOTOS + 1].count() > settings.REPORT_INLINE_PHOTOS


def drafts_scope(user):
    """The drafts a staff member's report counts: those in its scope (None: every one)."""
    scope = scope_of(user) if user is not None else WHOLE
    return None if scope.is_whole else scope


def _step(report_file, progress, step):
    report_file.progress, report_file.step = progress, str(step)
    report_file.save(update_fields=["progress", "step"])


def claim(report_file_pk):
    """The ReportFile to make, marked as being made, if it still waits: one consumer makes it,
    however often its job runs (None for the others)."""
    claimed = ReportFile.objects.filter(pk=report_file_pk, status=ReportFileStatus.QUEUED).update(
        status=ReportFileStatus.RUNNING
    )
    if not claimed:
        return None
    return ReportFile.objects.select_related("report", "requested_by").get(pk=report_file_pk)


def make(report_file, user=None):
    """Make a ReportFile's file: counted, laid out, stored; its progress saved on the way, so
    that the requester's page shows it. A failure is kept on the row (and raised again, for
    the job queue's logs). A staff copy counts the drafts in its requester's charge; with its
    requester's account gone, none."""
    report = report_file.report
    started = time.monotonic()
    report_file.status = ReportFileStatus.RUNNING
    report_file.save(update_fields=["status"])
    requester = user or report_file.requested_by
    include_drafts = report_file.include_drafts and requester is not None
    try:
        with translation.override(report.language):
            _step(report_file, 10, translation.gettext("Counting the figures"))
            doc = outline.build(
                report,
                include_drafts=include_drafts,
                drafts_scope=drafts_scope(requester),
                on_photo=lambda done, total: _step(
                    report_file,
                    10 + int(50 * done / total),
                    translation.gettext("Photo %(done)s of %(total)s")
                    % {"done": done, "total": total},
                ),
            )
            _step(report_file, 60, translation.gettext("Laying out the pages"))
            data = RENDERERS[report_file.format](doc)
        _step(report_file, 90, translation.gettext("Storing the file"))
        report_file.file.save(f"{doc.filename}.{report_file.format}", ContentFile(data), save=False)
    except Exception as error:
        report_file.status = ReportFileStatus.FAILED
        report_file.error = f"{type(error).__name__}: {error}"
        report_file.finished_at = timezone.now()
        report_file.save(update_fields=["status", "error", "finished_at"])
        raise
    report_file.status = ReportFileStatus.DONE
    report_file.progress, report_file.step = 100, ""
    report_file.finished_at = timezone.now()
    report_file.seconds = round(time.monotonic() - started, 3)
    report_file.save()
    return report_file


def request_file(report, format, user):
    """A ReportFile of `report` (a staff copy when the report counts drafts), made now when the
    report is small (returned done), or queued for the job queue (returned queued;
    ketnghia.tasks.make_report_file). The same file asked for again by the same account while
    it is being made is that one, not a second."""
    from ketnghia.tasks import make_report_file  # which imports this module

    large = is_large(report) and settings.HUEY_URL
    if large:
        waiting = ReportFile.objects.filter(
            report=report,
            format=format,
            requested_by=user,
            include_drafts=report.include_drafts,
            status__in=[ReportFileStatus.QUEUED, ReportFileStatus.RUNNING],
        ).first()
        if waiting is not None:
            return waiting
    report_file = ReportFile.objects.create(
        report=report, format=format, requested_by=user, include_drafts=report.include_drafts
    )
    if not large:
        return make(report_file, user)
    try:
        make_report_file(report_file.pk)
    except RedisError as error:  # the queue cannot be reached: said on the file, not lost
        report_file.status = ReportFileStatus.FAILED
        report_file.error = f"{type(error).__name__}: {error}"
        report_file.finished_at = timezone.now()
        report_file.save(update_fields=["status", "error", "finished_at"])
        raise
    return report_file

import time
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.figures import format_number
from agreements.models import Agreement, AgreementStatus
from ketnghia.models import ReportFormat, ReportKind, ReportScope, WrittenReport
from ketnghia.written import RENDERERS, fill_heading, outline
from localities.models import Locality


class Command(BaseCommand):
    help = gettext_lazy(
        "Write a written report (báo cáo năm, sơ kết, tổng kết) of an agreement, a locality or "
        "the province as .docx or PDF: the same file as the admin's, its narrative parts from "
        "the latest saved report of the same scope, kind and period, or empty."
    )

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--agreement", metavar="SLUG", help=gettext_lazy("an agreement"))
        where.add_argument("--locality", metavar="SLUG", help=gettext_lazy("a locality"))
        where.add_argument(
            "--province", action="store_true", help=gettext_lazy("the whole province")
        )
        parser.add_argument("--kind", choices=ReportKind.values, default=ReportKind.ANNUAL)
        parser.add_argument(
            "--from",
            dest="year_from",
            type=int,
            help=gettext_lazy("first year (default: since the signing)"),
        )
        parser.add_argument(
            "--to", dest="year_to", type=int, help=gettext_lazy("last year (default: this year)")
        )
        parser.add_argument("--format", choices=ReportFormat.values, default=ReportFormat.DOCX)
        parser.add_argument("--language", choices=["vi", "en"], default="vi")
        parser.add_argument(
            "--drafts",
            action="store_true",
            help=gettext_lazy("count the agreements still in draft too, marked (a staff copy)"),
        )
        parser.add_argument("--output", required=True, help=gettext_lazy("the file to write"))

    def handle(self, *args, **options):
        report = self._report(options)
        started = time.monotonic()
        with translation.override(report.language):
            doc = outline.build(report, include_drafts=options["drafts"])
            data = RENDERERS[options["format"]](doc)
        Path(options["output"]).write_bytes(data)
        self.stdout.write(
            _("Wrote %(path)s (%(size)s bytes) in %(seconds).2f s: %(subject)s")
            % {
                "path": options["output"],
                "size": format_number(len(data)),
                "seconds": time.monotonic() - started,
                "subject": doc.subject,
            }
        )

    def _report(self, options):
        fields = {"kind": options["kind"], "year_from": options["year_from"]}
        fields["year_to"] = options["year_to"] or timezone.localdate().year
        if fields["year_from"] is not None and fields["year_from"] > fields["year_to"]:
            raise CommandError(_("The first year comes after the last one."))
        if options["agreement"]:
            agreement = Agreement.objects.filter(slug=options["agreement"]).first()
            if agreement is None:
                raise CommandError(_("No agreement has the slug %s.") % options["agreement"])
            if agreement.status != AgreementStatus.PUBLISHED and not options["drafts"]:
                raise CommandError(
                    _("This agreement is a draft: add --drafts for a staff copy that says so.")
                )
            fields |= {"scope": ReportScope.AGREEMENT, "agreement": agreement}
        elif options["locality"]:
            locality = Locality.objects.filter(slug=options["locality"]).first()
            if locality is None:
                raise CommandError(_("No locality has the slug %s.") % options["locality"])
            fields |= {"scope": ReportScope.LOCALITY, "locality": locality}
        else:
            fields["scope"] = ReportScope.PROVINCE
        saved = WrittenReport.objects.filter(**fields).order_by("-updated_at").first()
        if saved is not None:
            saved.language = options["language"]
            return saved
        report = WrittenReport(**fields, language=options["language"])
        fill_heading(report)
        return report

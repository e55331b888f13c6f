from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localities import services


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse cannot format a lazy string.
        return _(
            "Create or update the provinces, communes, wards and special zones of the official "
            "register (statistics office codes after 1-7-2025), matched by code. It never "
            "deletes anything and never changes a slug; running it again changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            metavar=_("CODE_OR_NAME"),
            help=_(
                "Import only this province or centrally-run city: its code (52) or its name "
                "(Gia Lai, Tỉnh Gia Lai; diacritics and case ignored)."
            ),
        )

    def handle(self, *args, province=None, **options):
        try:
            counts = services.import_register(province=province, stdout=self.stdout)
        except services.UnknownProvinceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(created)d, updated %(updated)d, unchanged %(unchanged)d.") % counts
            )
        )

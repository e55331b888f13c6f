from django.core.files.storage import default_storage
from django.core.management import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia import backups


class Command(BaseCommand):
    help = gettext_lazy(
        "Back up the database and the uploaded files together into one tar file, with the "
        "checksum of each file (restore it with manage.py restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            help=gettext_lazy("a folder (the file is named after the time) or a .tar file"),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, destination, database, **options):
        try:
            done = backups.create(destination, connections[database], default_storage)
        except backups.BackupError as error:
            raise CommandError(error) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Backed up the database and %(files)s uploaded files (%(size)s) into %(path)s.")
                % {"files": done.files, "size": filesizeformat(done.size), "path": done.path}
            )
        )

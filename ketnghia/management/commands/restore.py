from django.core.files.storage import default_storage
from django.core.management import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia import backups


class Command(BaseCommand):
    help = gettext_lazy(
        "Restore a backup made by manage.py backup into an empty database and the uploads "
        "folder. Every file is checked first; on any doubt nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help=gettext_lazy("the .tar file made by manage.py backup"))
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, backup, database, **options):
        try:
            done = backups.restore(backup, connections[database], default_storage)
        except backups.BackupError as error:
            raise CommandError(error) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored the database (%(tables)s tables) and %(files)s uploaded files.")
                % {"tables": done.tables, "files": done.files}
            )
        )
        if done.migrations_to_apply:
            self.stdout.write(
                _(
                    "The backup was made by an older version of the site: run "
                    "“python manage.py migrate” now (%(count)s migrations to apply)."
                )
                % {"count": done.migrations_to_apply}
            )

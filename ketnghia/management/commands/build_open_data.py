from django.core.management import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketnghia import opendata_files


class Command(BaseCommand):
    help = gettext_lazy(
        "Make the open-data files now (the job queue makes them after each change and every "
        "night): at installation, or after a bulk change."
    )

    def handle(self, *args, **options):
        storage = opendata_files.storage()
        for name in opendata_files.build():
            self.stdout.write(f"{name} ({filesizeformat(storage.size(name))})")
        self.stdout.write(self.style.SUCCESS(_("The open-data files are made.")))

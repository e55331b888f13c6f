from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from activities import demo


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse cannot format a lazy string.
        return _(
            "Load the demo data: the register of Gia Lai and the agreements, events, photos and "
            "activities of the two seed articles. It only creates what is missing; running it "
            "again changes nothing."
        )

    def handle(self, *args, **options):
        try:
            result = demo.load_demo(stdout=self.stdout)
        except demo.DemoError as error:
            raise CommandError(str(error)) from error
        created = {label: n for label, n in result["created"].items() if n}
        register = result["register"]
        if not created and not register["created"] and not register["updated"]:
            self.stdout.write(
                self.style.SUCCESS(_("Nothing new: the demo data is already loaded."))
            )
            return
        for label, n in created.items():
            name = apps.get_model(label)._meta.verbose_name_plural
            self.stdout.write(_("Created %(count)d %(name)s.") % {"count": n, "name": name})
        self.stdout.write(self.style.SUCCESS(_("The demo data is loaded.")))

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command
from django.utils.translation import gettext as _

from agreements.models import Agreement
from localities.models import Locality

DEMO_ADMIN = "admin"


class Command(BaseCommand):
    help = _(
        "Prepare a new installation: on an empty database, load the register and the demo data; "
        "with DEBUG on, create the demo administrator and print its password once."
    )

    def handle(self, *args, **options):
        if not Locality.objects.exists() and not Agreement.objects.exists():
            self.stdout.write(_("Empty database: loading the register and the demo data…"))
            call_command("load_demo", stdout=self.stdout)
        if settings.DEBUG:
            self.create_demo_admin()

    def create_demo_admin(self):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(DEMO_ADMIN, "", password)
        line = "=" * 60
        heading = _("Demo administrator created (shown only this once):")
        user_label, password_label = _("user"), _("password")
        url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/admin/"
        self.stdout.write(
            self.style.SUCCESS(
                f"{line}\n{heading}\n  {user_label}: {DEMO_ADMIN}\n"
                f"  {password_label}: {password}\n  {url}\n{line}"
            )
        )

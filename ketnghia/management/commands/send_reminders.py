"""The day's reminders now (ketnghia.reminders), as the job consumer sends them every morning:
for a site run without a job queue, or to see at once what a change of data reminds. It takes
the job's own lock: never two runs at once, which could e-mail the same reminders twice."""

from django.core.management.base import BaseCommand, CommandError
from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException

from ketnghia import reminders


class Command(BaseCommand):
    help = "Send today's reminders of the twinning year to the staff in scope (once each)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--digests", action="store_true", help="also send the weekly digests now"
        )

    def handle(self, *args, digests=False, **options):
        try:
            with HUEY.lock_task("send-reminders"):
                made = reminders.deliver()
                if digests:
                    reminders.send_digests()
        except TaskLockedException:
            raise CommandError(
                "Reminders are being sent by another run (the job consumer): try again later."
            ) from None
        self.stdout.write(f"{len(made)} reminder(s) made.")

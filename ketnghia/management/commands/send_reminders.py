"""The day's reminders now (ketnghia.reminders), as the job consumer sends them every morning:
for a site run without a job queue, or to see at once what a change of data reminds."""

from django.core.management.base import BaseCommand

from ketnghia import reminders


class Command(BaseCommand):
    help = "Send today's reminders of the twinning year to the staff in scope (once each)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--digests", action="store_true", help="also send the weekly digests now"
        )

    def handle(self, *args, digests=False, **options):
        made = reminders.deliver()
        if digests:
            reminders.send_digests()
        self.stdout.write(f"{len(made)} reminder(s) made.")

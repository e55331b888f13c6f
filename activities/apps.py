from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # The dashboards' summary rows follow every write to activities, agreements' status,
        # parties, commitments and the localities' tree, which each write announces
        # (localities.changes; activities.reports.summaries keeps them).
        from activities.reports import snapshots, summaries
        from localities import changes

        changes.register(summaries.KEEPER)
        # The dashboards' snapshots: a write moves on the generations of what it changes.
        snapshots.connect(self)
        # A proposed change to an activity is checked as its form checks it when approved.
        from activities.resources import outside_agreement
        from agreements import revisions

        revisions.CHECKS["activities.activity"] = lambda activity: [
            message for error in outside_agreement(activity).values() for message in error.messages
        ]
        post_migrate.connect(summaries.fill_if_empty, sender=self)

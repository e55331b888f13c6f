"""The merit register as the public reads it (issue 13): the awards given for an agreement's
work, each with the collectives and people it counts, the units it names, and a person's name
only where staff marked it public."""

from django.db.models import F, Prefetch, Q

from activities.models import Award, AwardRecipient


def public_recipients():
    """The recipients the public may read: every collective, a person only when marked."""
    return (
        AwardRecipient.objects.filter(Q(is_person=False) | Q(public=True))
        .select_related("locality")
        .order_by("is_person", "id")
    )


def public_awards(agreement):
    """The awards of a published agreement, the latest first, each with its public
    recipients (`award.recipients.all()`): two queries."""
    return list(
        Award.objects.filter(agreement=agreement)
        .prefetch_related(Prefetch("recipients", queryset=public_recipients()))
        .order_by(F("decided_on").desc(nulls_last=True), "-id")
    )

"""Writes that change what the figures count, announced to the layers that keep figures.

The registers (localities, agreements, activities) write; activities.reports keeps the summary
rows and the agreements' dates in step with them (docs/counting.md, section 7). The lower apps
never import the reports: each write that changes what is counted says so through this one
service, in its own transaction,

    with changes.writing(agreements=[agreement.pk]):
        agreement.status = AgreementStatus.PUBLISHED
        agreement.save()

and the keepers registered here (activities.reports.summaries.KEEPER, registered by
ActivitiesConfig.ready) read what the write concerns before it, and again after it. The
models' save() and delete() make the call for every write through the ORM (admin, services,
imports, the demo loader), and their querysets' delete() (ChangesQuerySet) for the rows it
deletes; a bulk write (queryset.update(), bulk_create, COPY) makes none, and is followed by a
rebuild (manage.py rebuild_summaries).

What a write names, as it was before the write:
- ``activities``: activities saved or deleted;
- ``agreements``: agreements whose activities may count elsewhere (published or not, their
  parties and areas);
- ``dates``: agreements whose parties, areas or dates changed (AgreementDates);
- ``units``: localities moved under another parent, or whose successor changed (their own and
  their descendants' figures count in other units);
- ``kinds``: localities whose kind, ethnic-minority standing or dissolution changed (they may
  be an ethnic-minority village with a partner, or no longer).

Objects created by the write have no "before": ``change.created(...)`` names them once they
exist. Writes inside a write (a service called by an admin save) join the outer one: each
concern is read once before, and the rows are kept once, when the outermost write ends.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models, transaction

CONCERNS = ("activities", "agreements", "dates", "units", "kinds")

_keepers = []
_open = threading.local()


@dataclass
class Change:
    """What one write (with the writes inside it) concerns, and the keepers' notes on it."""

    before: dict = field(default_factory=lambda: {c: set() for c in CONCERNS})
    after: dict = field(default_factory=lambda: {c: set() for c in CONCERNS})
    notes: dict = field(default_factory=dict)

    def created(self, **concerns):
        """Name objects the write created: they count after it, and did not before."""
        for concern, ids in _ids(concerns).items():
            self.after[concern] |= ids


def register(keeper):
    """Add a keeper: an object with ``begin(change, concerns)`` (called before the write, with
    what it names, possibly several times for writes inside it) and ``end(change)``."""
    if keeper not in _keepers:
        _keepers.append(keeper)


def _ids(concerns):
    unknown = set(concerns) - set(CONCERNS)
    if unknown:
        raise TypeError(f"unknown concerns: {', '.join(sorted(unknown))}")
    return {c: {pk for pk in concerns.get(c, ()) if pk is not None} for c in CONCERNS}


@contextmanager
def writing(**concerns):
    """The write done in this block concerns `concerns` (see the module's docstring): keep
    every keeper in step with it, in its transaction. Yields the Change."""
    named = _ids(concerns)
    change = getattr(_open, "change", None)
    if change is not None:
        # Inside another write: what is new to it is read now, before this part of it (what
        # the write created had no "before").
        new = {c: named[c] - change.before[c] - change.after[c] for c in CONCERNS}
        for c in CONCERNS:
            change.before[c] |= new[c]
        if any(new.values()):
            for keeper in _keepers:
                keeper.begin(change, new)
        yield change
        return
    with transaction.atomic():
        change = Change()
        for c in CONCERNS:
            change.before[c] |= named[c]
        _open.change = change
        try:
            if any(named.values()):
                for keeper in _keepers:
                    keeper.begin(change, named)
            yield change
            for keeper in _keepers:
                keeper.end(change)
        finally:
            _open.change = None


def stored(instance, *fields):
    """The values of `fields` of `instance` as the database holds them (None for a new row):
    what a write changes, read before it."""
    if instance.pk is None:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).values_list(*fields).first()


class ChangesQuerySet(models.QuerySet):
    """A queryset whose delete() names what the rows it deletes concern (the admin's bulk
    deletion, a test's cleanup): the model says what, in ``concerns_of(rows)``."""

    def delete(self):
        with writing(**self.model.concerns_of(self)):
            return super().delete()

"""A year's figures approved by the province for a scope, and locked (PeriodApproval).

A province officer (the whole province in scope and the ``lock_period`` permission) approves a
year for a commune, a ward, a unit or the whole province: from then on no activity of that year
in that scope is added, changed or deleted, through the admin or an import (Activity.clean
says why, at the row). To correct one, the officer unlocks the year with a reason, the
correction is made, and the officer locks it again. Each step is kept in the approval's
history, with who and why.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import PeriodApproval
from localities.scopes import scope_of

LOCK_PERMISSION = "activities.lock_period"


def may_lock(actor):
    """Whether ``actor`` may approve, lock and unlock a year's figures: a province officer.
    ``None`` is a system job run by the people who operate the site."""
    return actor is None or (actor.has_perm(LOCK_PERMISSION) and scope_of(actor).is_whole)


def _check(actor):
    if not may_lock(actor):
        raise PermissionDenied(_("Only a province officer may approve or unlock a year's figures."))


@transaction.atomic
def set_locked(approval, locked, actor, reason=""):
    """Lock or unlock an approved year; unlocking needs a reason. Recorded in its history."""
    _check(actor)
    reason = (reason or "").strip()
    if not locked and not reason:
        raise ValidationError({"reason": _("Say why the figures are unlocked.")})
    approval.locked = locked
    approval.approved_by = actor if locked else approval.approved_by
    approval.approved_at = timezone.now() if locked else approval.approved_at
    approval.reason = reason
    approval._change_reason = (
        _("Locked again: %(reason)s") % {"reason": reason}
        if locked and reason
        else _("Locked")
        if locked
        else _("Unlocked: %(reason)s") % {"reason": reason}
    )
    approval.save()
    return approval


@transaction.atomic
def approve_period(year, locality, actor):
    """Approve and lock the figures of `year` for `locality` (None: the whole province)."""
    _check(actor)
    approval = PeriodApproval(year=year, locality=locality, approved_by=actor)
    approval.full_clean()
    approval._change_reason = _("Approved and locked")
    approval.save()
    return approval

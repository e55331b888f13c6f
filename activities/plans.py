"""Writes on annual plans: approval by the province, a return to draft, a copy for next year.

Staff of either party draft a plan (the admin's scope, localities.scopes); a province officer
approves it: an account with the whole province in its scope and the ``approve_plan``
permission. An approved plan is what the public sees and what its items' progress is read
against; changing it again means returning it to draft first, which only an approver may do.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Plan, PlanItem, PlanStatus
from localities.scopes import scope_of

APPROVE_PERMISSION = "activities.approve_plan"


def may_approve(actor):
    """Whether ``actor`` may approve plans and return them to draft: a province officer.
    ``None`` is a system job run by the people who operate the site."""
    return actor is None or (actor.has_perm(APPROVE_PERMISSION) and scope_of(actor).is_whole)


def _check_may_approve(actor):
    if not may_approve(actor):
        raise PermissionDenied(_("Only a province officer may approve a plan or reopen it."))


def approval_problems(plan):
    """What keeps a plan from being approved, as sentences for the officer."""
    problems = []
    if not plan.items.exists():
        problems.append(_("it has no item"))
    return problems


@transaction.atomic
def approve(plan, actor):
    """Approve a draft plan: the public sees it from now on. Raises ValidationError with the
    reasons when it cannot be."""
    _check_may_approve(actor)
    plan.refresh_from_db(from_queryset=Plan.objects.select_for_update())
    if plan.is_approved:
        return plan
    problems = approval_problems(plan)
    if problems:
        raise ValidationError(
            _("The plan cannot be approved yet: %(problems)s.") % {"problems": "; ".join(problems)}
        )
    plan.status = PlanStatus.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan._change_reason = _("Approved")
    plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return plan


@transaction.atomic
def reopen(plan, actor, reason):
    """Return an approved plan to draft, to change it; the reason goes to its history."""
    _check_may_approve(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the plan is reopened."))
    plan.refresh_from_db(from_queryset=Plan.objects.select_for_update())
    plan.status = PlanStatus.DRAFT
    plan.approved_by = None
    plan.approved_at = None
    plan._change_reason = _("Reopened: %(reason)s") % {"reason": reason}
    plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return plan


def _same_day_in(day, year):
    if day is None:
        return None
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return datetime.date(year, 2, 28)


@transaction.atomic
def copy_to_year(plan, year):
    """A draft plan for ``year`` with the items of ``plan`` (targets and who does what; due
    dates moved to the same day of that year), less the items dropped. Its progress starts
    from nothing: activities stay linked to the items they carried out. Raises
    ValidationError when the agreement already has a plan for that year."""
    taken = ValidationError(
        _("%(agreement)s already has a plan for %(year)s.")
        % {"agreement": plan.agreement, "year": year}
    )
    if Plan.objects.filter(agreement_id=plan.agreement_id, year=year).exists():
        raise taken
    copy = Plan(agreement_id=plan.agreement_id, year=year, note="")
    copy.full_clean(exclude=["agreement"], validate_unique=False, validate_constraints=False)
    copy._change_reason = _("Copied from the plan for %(year)s") % {"year": plan.year}
    try:
        with transaction.atomic():  # another copy made at the same moment: told, not a 500
            copy.save()
    except IntegrityError:
        raise taken from None
    items = [
        PlanItem(
            plan=copy,
            area_id=item.area_id,
            description=item.description,
            responsible_id=item.responsible_id,
            target_kind=item.target_kind,
            activity_type_id=item.activity_type_id,
            target_quantity=item.target_quantity,
            target_vnd=item.target_vnd,
            due_on=_same_day_in(item.due_on, year),
            position=item.position,
        )
        for item in plan.items.filter(dropped=False)
    ]
    for item in items:  # one by one: each gets its line in the history
        item._change_reason = copy._change_reason
        item.save()
    return copy

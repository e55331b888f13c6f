"""Changes to published records, reviewed before the public sees them (README, "Roles").

An editor who may not publish (services.may_publish) and saves a change to a published
agreement, or to one of its records (a party, a commitment, a programme, an event, a photo, a
source, an activity), does not change them: the admin hands the page's forms to a `Proposal`,
which writes a Revision. A reviewer then approves it (`approve`: applied in one transaction and
recorded in each record's history) or rejects it with a reason (`reject`).

A revision's `changes` is a list of operations, one per record:

    {"model": "agreements.party", "pk": 12 (None when added), "action": "add" | "change" |
     "delete", "label": "Xã Ia Dơk", "fields": [{"name", "label", "old", "new", "old_text",
     "new_text"}]}

`old` and `new` are the values as stored (a related record's primary key, a sorted list of them
for many-to-many, a file's name), `old_text` and `new_text` as a person reads them. An "add"
holds every field, a "delete" none, a "change" the changed ones. Approving refuses a change whose
`old` no longer matches the record (it was changed since): the reviewer then rejects it, and the
editor proposes it again on the current version.
"""

import difflib
import json

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementStatus, Party, Revision, RevisionStatus
from agreements.services import complete_agreement, may_publish, publication_problems

ADD, CHANGE, DELETE = "add", "change", "delete"
# New rows first, then changes, then removals: a published agreement never passes through a
# moment with a single signer (as PartyFormSet.save).
ORDER = {ADD: 0, CHANGE: 1, DELETE: 2}
# simple-history keeps a change reason of at most 100 characters.
REASON_LENGTH = 100


def _published(agreement_ids):
    """The published agreements among `agreement_ids` (None ignored), by id; no query when
    there is none to look for."""
    ids = [pk for pk in agreement_ids if pk is not None]
    return Agreement.objects.filter(pk__in=ids, status=AgreementStatus.PUBLISHED).order_by("pk")


def agreement_of(record):
    """The agreement a record belongs to (an agreement: itself), by id."""
    return record.pk if isinstance(record, Agreement) else record.agreement_id


def published_among(user, agreement_ids):
    """The first published agreement among `agreement_ids` when `user` may not publish: a save
    of theirs touching it is proposed for review. None when the save goes through."""
    if may_publish(user):
        return None
    return _published(agreement_ids).values_list("pk", flat=True).first()


def import_refusal(agreement_ids):
    """The error of an imported row that would change a published agreement, for an account
    that may not publish (an import is not proposed: its rows would each need a review); None
    when no such agreement is concerned."""
    agreement = _published(agreement_ids).first()
    if agreement is None:
        return None
    return ValidationError(
        _(
            "“%(agreement)s” is published: its changes go through a reviewer. Enter this row "
            "on its page in the admin (it is then proposed for review), or ask a reviewer to "
            "import the file."
        )
        % {"agreement": agreement},
        code="published",
    )


def pending(agreement_id):
    """The agreement's changes waiting for review, oldest first."""
    return Revision.objects.filter(
        agreement_id=agreement_id, status=RevisionStatus.PENDING
    ).order_by("created_at", "pk")


# --- Values: as stored, and as read --------------------------------------------------------


def _fields(model):
    """What a proposal records of a record: its editable fields, many-to-many included."""
    concrete = [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and not f.auto_created
    ]
    return concrete + [f for f in model._meta.many_to_many if f.editable]


def _stored(value):
    """A value as JSON keeps it: dates and decimals as text."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def stored_value(record, field, related=None):
    """The value of `field` as a revision stores it; `related`, for a many-to-many field, the
    records chosen (the form's), else those saved."""
    if field.many_to_many:
        if related is None:
            related = getattr(record, field.name).all() if record.pk else []
        return sorted(item.pk for item in related)
    value = field.value_from_object(record)
    if isinstance(field, models.FileField):
        return value.name or ""
    if isinstance(value, str):
        # A browser sends a text area's lines ended by "\r\n": the same text as "\n".
        value = value.replace("\r\n", "\n")
    return _stored(value)


def readable_value(record, field, related=None):
    """The value of `field` as a person reads it: a related record's name, a choice's label,
    a date as dd/mm/yyyy."""
    if field.many_to_many:
        if related is None:
            related = getattr(record, field.name).all() if record.pk else []
        return "; ".join(str(item) for item in related)
    value = getattr(record, field.attname)
    if value is None or value == "":
        return ""
    if field.is_relation:
        return str(getattr(record, field.name))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(field, models.FileField):
        return value.name
    return str(formats.localize(value))


# The fields that name a record, best first: "Xã Ia Dơk" for a party rather than "Bên số 3".
NAMING_FIELDS = ("locality", "title", "name", "caption", "description", "activity_type")


def label(record):
    """How a revision names a record, new ones included (str() of those names an id)."""
    for name in NAMING_FIELDS:
        try:
            record._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        value = getattr(record, name, None)
        if value:
            return str(value)[:300]
    return str(record)[:300]


def word_diff(old, new):
    """(old, new) as lists of (changed, text) parts, word by word: a reviewer sees the words
    that change in a long text, not the whole text struck out."""
    before, after = old.split(), new.split()
    old_parts, new_parts = [], []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old_parts.append((tag != "equal", " ".join(before[i1:i2])))
        if j2 > j1:
            new_parts.append((tag != "equal", " ".join(after[j1:j2])))
    return old_parts, new_parts


def _entry(field, old, new, old_related=None, new_related=None):
    return {
        "name": field.name,
        "label": str(field.verbose_name),
        "old": None if old is None else stored_value(old, field, old_related),
        "new": None if new is None else stored_value(new, field, new_related),
        "old_text": "" if old is None else readable_value(old, field, old_related),
        "new_text": "" if new is None else readable_value(new, field, new_related),
    }


def _commit_files(record, fields):
    """Store the files uploaded with the record now (under the names the site gives them),
    so that the revision can name them; the record itself is not saved."""
    for field in fields:
        if isinstance(field, models.FileField):
            file = getattr(record, field.name)
            if file and not file._committed:
                file.save(file.name, file.file, save=False)


# --- Proposing --------------------------------------------------------------------------------


class Proposal:
    """The changes of one save through the admin, collected instead of saved."""

    def __init__(self, author, agreement_id):
        self.author = author
        self.agreement_id = agreement_id
        self.operations = []
        self.subject = ""

    def form(self, form):
        """The page's own record (its ModelForm, validated)."""
        record = form.instance
        self.subject = label(record)
        if record.pk is None:
            self._add(form)
        else:
            self._change(form, type(record)._default_manager.get(pk=record.pk))

    def formset(self, formset):
        """The rows of an inline formset, validated: added, changed and removed."""
        removed = {
            form.instance.pk: form
            for form in formset.initial_forms
            if form.instance.pk and formset._should_delete_form(form)
        }
        for form in formset.initial_forms:
            if form.instance.pk not in removed and form.has_changed():
                self._change(form, type(form.instance)._default_manager.get(pk=form.instance.pk))
        for form in formset.extra_forms:
            if not form.has_changed() or formset._should_delete_form(form):
                continue
            reused = self._reused_party(form, removed)
            if reused is None:
                self._add(form)
            else:
                # A new party naming the locality of a removed one takes over its row, as
                # PartyFormSet.save does: the two would clash otherwise.
                del removed[reused.pk]
                form.instance.pk = reused.pk
                self._change(form, Party.objects.get(pk=reused.pk), names=form.cleaned_data)
        for form in removed.values():
            old = type(form.instance)._default_manager.get(pk=form.instance.pk)
            entries = [_entry(field, old, None) for field in _fields(type(old))]
            self.operations.append(self._operation(DELETE, old, entries))

    def save(self):
        """The Revision, or None when nothing changed."""
        if not self.operations:
            return None
        return Revision.objects.create(
            agreement_id=self.agreement_id,
            subject=self.subject or str(Agreement.objects.get(pk=self.agreement_id))[:300],
            changes=self.operations,
            author=self.author,
        )

    @staticmethod
    def _reused_party(form, removed):
        if form._meta.model is not Party:
            return None
        locality = form.cleaned_data.get("locality")
        for candidate in removed.values():
            if locality is not None and candidate.initial.get("locality") == locality.pk:
                return candidate.instance
        return None

    def _operation(self, action, record, fields):
        return {
            "model": record._meta.label_lower,
            "pk": record.pk,
            # The agreement the record belongs to as proposed (approving refuses a record moved
            # to another since).
            "agreement": agreement_of(record),
            "action": action,
            "label": label(record),
            "fields": fields,
        }

    def _add(self, form):
        record = form.instance
        fields = _fields(type(record))
        _commit_files(record, fields)
        entries = [
            _entry(field, None, record, new_related=form.cleaned_data.get(field.name))
            for field in fields
            if not field.many_to_many or field.name in form.cleaned_data
        ]
        self.operations.append(self._operation(ADD, record, entries))

    def _change(self, form, old, names=None):
        record = form.instance
        names = set(form.changed_data if names is None else names)
        fields = [field for field in _fields(type(record)) if field.name in names]
        _commit_files(record, fields)
        entries = []
        for field in fields:
            new_related = form.cleaned_data.get(field.name) if field.many_to_many else None
            entry = _entry(field, old, record, new_related=new_related)
            if entry["old"] != entry["new"]:
                entries.append(entry)
        if entries:
            self.operations.append(self._operation(CHANGE, old, entries))


# --- Reading a proposal -----------------------------------------------------------------------


def comparison(revision):
    """Each operation as the review page shows it: what it does to which record, and each
    field's value before and as proposed (word by word; a photo as its address); for a pending
    revision, the current value where it differs from the one the change was proposed on."""
    verbs = {ADD: _("Added"), CHANGE: _("Changed"), DELETE: _("Deleted")}
    shown = []
    for operation in revision.changes:
        model = apps.get_model(operation["model"])
        action = operation["action"]
        current = None
        if revision.is_pending and action != ADD:
            current = model._default_manager.filter(pk=operation["pk"]).first()
        fields = []
        for entry in operation["fields"]:
            field = model._meta.get_field(entry["name"])
            old_parts, new_parts = word_diff(entry["old_text"], entry["new_text"])
            row = {
                **entry,
                "outdated": None,
                "old_parts": old_parts,
                "new_parts": new_parts,
                "old_image": _image_url(field, entry["old"]),
                "new_image": _image_url(field, entry["new"]),
            }
            if current is not None and stored_value(current, field) != entry["old"]:
                row["outdated"] = readable_value(current, field) or "—"
            fields.append(row)
        shown.append(
            {
                "action": verbs[action],
                "kind": model._meta.verbose_name,
                "label": operation["label"],
                "fields": fields,
                "gone": revision.is_pending and action == CHANGE and current is None,
                "deleting": action == DELETE,
            }
        )
    return shown


def _image_url(field, name):
    if isinstance(field, models.ImageField) and name:
        return field.storage.url(name)
    return None


# --- Reviewing --------------------------------------------------------------------------------


def _check_reviewer(user):
    if not may_publish(user):
        raise PermissionDenied(_("Only a reviewer may approve or reject a proposed change."))


def _pending(revision):
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if not revision.is_pending:
        raise ValidationError(
            _("This change was already reviewed (%(status)s).")
            % {"status": revision.get_status_display()},
            code="reviewed",
        )
    return revision


def _set(record, field, value):
    if field.many_to_many:
        return
    if isinstance(field, models.FileField):
        setattr(record, field.attname, value)
    else:
        setattr(record, field.attname, field.to_python(value))


# Checks that an app adds for its records, run when a revision is approved: the rules its
# admin form enforces across records (an activity's giver among the agreement's parties...).
# {"app_label.model": function(record) -> list of messages}; activities.apps registers its own.
CHECKS = {}


def _outdated(operation, record, entry, field):
    return _(
        "“%(record)s”, %(field)s: it reads “%(now)s” now, not “%(then)s” as when the change "
        "was proposed."
    ) % {
        "record": operation["label"],
        "field": entry["label"],
        "now": readable_value(record, field),
        "then": entry["old_text"],
    }


def _apply(operation, revision, reason):
    """One operation of an approved revision; the problems that keep it from applying."""
    model = apps.get_model(operation["model"])
    fields = {field.name: field for field in _fields(model)}
    action = operation["action"]
    if action == ADD:
        record = model()
    else:
        record = model._default_manager.select_for_update().filter(pk=operation["pk"]).first()
        if record is None:
            if action == DELETE:
                return []  # removed since: nothing left to do
            return [_("“%(record)s” was deleted since.") % {"record": operation["label"]}]
        if agreement_of(record) != operation.get("agreement", agreement_of(record)):
            return [
                _("“%(record)s” was moved to another agreement since.")
                % {"record": operation["label"]}
            ]
    record._history_user = revision.author
    record._change_reason = reason
    problems = []
    for entry in operation["fields"]:
        field = fields.get(entry["name"])
        if field is None:
            continue
        if action != ADD and stored_value(record, field) != entry["old"]:
            problems.append(_outdated(operation, record, entry, field))
        elif action != DELETE:
            _set(record, field, entry["new"])
    if problems:
        return problems
    if action == DELETE:
        record.delete()
        return []
    try:
        record.full_clean()
    except ValidationError as error:
        return [
            _("“%(record)s”: %(problems)s")
            % {"record": operation["label"], "problems": " ".join(error.messages)}
        ]
    record.save()
    for entry in operation["fields"]:
        field = fields.get(entry["name"])
        if field is not None and field.many_to_many:
            getattr(record, field.name).set(entry["new"] or [])
    check = CHECKS.get(operation["model"])
    return check(record) if check else []


def _applied(operation, revision, reason):
    """_apply in a savepoint: a rule the database keeps (a trigger, a foreign key) refused is a
    problem to tell, not an error."""
    try:
        with transaction.atomic():
            problems = _apply(operation, revision, reason)
            if problems:
                raise _Refused(problems)
    except _Refused as refused:
        return refused.problems
    except DatabaseError as error:
        return [
            _("“%(record)s” cannot be saved so: %(problems)s")
            % {"record": operation["label"], "problems": error}
        ]
    return []


class _Refused(Exception):
    def __init__(self, problems):
        self.problems = problems


@transaction.atomic
def approve(revision, *, reviewer):
    """Apply a pending revision as proposed, all of it or nothing: ValidationError with the
    problems when a record was changed, moved or deleted since, or no longer validates."""
    _check_reviewer(reviewer)
    revision = _pending(revision)
    if connection.vendor == "postgresql":
        # The triggers deferred to the commit (two signers on a published agreement, parts of
        # the same agreement) answer at each statement here, where their refusal is told.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    reason = (_("Proposed change #%(id)s, approved") % {"id": revision.pk})[:REASON_LENGTH]
    problems = []
    for operation in sorted(revision.changes, key=lambda op: ORDER[op["action"]]):
        problems += _applied(operation, revision, reason)
    agreement = Agreement.objects.get(pk=revision.agreement_id)
    missing = publication_problems(agreement) if agreement.is_published else []
    if missing and not problems:
        problems.append(
            _("“%(agreement)s” is published and would be left incomplete: %(problems)s.")
            % {"agreement": agreement, "problems": "; ".join(missing)}
        )
    if problems:
        raise ValidationError(problems, code="outdated")
    complete_agreement(agreement)
    revision.status = RevisionStatus.APPROVED
    revision.reviewer = reviewer
    revision.reviewed_at = timezone.now()
    revision.save(update_fields=["status", "reviewer", "reviewed_at"])
    return revision


@transaction.atomic
def reject(revision, *, reviewer, reason):
    """Close a pending revision without applying it, saying why; the files uploaded with it
    are deleted once the rejection is saved."""
    _check_reviewer(reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the change is rejected: the editor reads it.")},
            code="required",
        )
    revision = _pending(revision)
    revision.status = RevisionStatus.REJECTED
    revision.reviewer = reviewer
    revision.reviewed_at = timezone.now()
    revision.reason = reason
    revision.save(update_fields=["status", "reviewer", "reviewed_at", "reason"])
    files = list(_uploaded_files(revision))
    transaction.on_commit(lambda: _delete_files(files))
    return revision


def _uploaded_files(revision):
    """(storage, name) of each file the revision brought: stored when it was proposed."""
    for operation in revision.changes:
        model = apps.get_model(operation["model"])
        for entry in operation["fields"]:
            field = model._meta.get_field(entry["name"])
            if isinstance(field, models.FileField) and entry["new"]:
                yield field.storage, entry["new"]


def _delete_files(files):
    for storage, name in files:
        storage.delete(name)

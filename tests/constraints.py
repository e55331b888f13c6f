"""Check that a rule rejects bad data three ways: full_clean(), a ModelForm, and a raw save."""

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.forms.models import model_to_dict


def form_data(instance, **changes):
    data = {k: ("" if v is None else v) for k, v in model_to_dict(instance).items()}
    data.update(changes)
    for key, value in list(data.items()):
        if hasattr(value, "pk"):
            data[key] = value.pk
        elif isinstance(value, list):
            data[key] = [getattr(v, "pk", v) for v in value]
    return data


def assert_rejected(instance, field, message, form_message=None, via_form=True):
    """`instance` breaks one rule: each layer refuses it, the first two with `message`.

    A form words some errors its own way (an unknown choice): `form_message` then. A rule on
    fields no form edits (publication, set by a service) is checked without the form.
    """
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    errors = excinfo.value.message_dict
    assert message in errors.get(field, []) + errors.get(NON_FIELD_ERRORS, []), errors

    if via_form:
        assert_refused_by_form(instance, field, form_message or message)
    assert_refused_by_database(instance.save)


def _formfield(field, **kwargs):
    # A link is https unless it says otherwise, as in the admin's forms (HTTPS_URLS).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def assert_refused_by_form(instance, field, message):
    form_class = forms.modelform_factory(
        type(instance), fields="__all__", formfield_callback=_formfield
    )
    saved = type(instance).objects.filter(pk=instance.pk).first() if instance.pk else None
    form = form_class(data=form_data(instance), instance=saved)
    assert not form.is_valid()
    shown = form.errors.get(field, []) + form.errors.get(NON_FIELD_ERRORS, [])
    assert message in shown, form.errors


def assert_refused_by_database(write):
    """The database itself refuses the write, deferred rules (foreign keys, PostgreSQL's
    triggers) included: they are checked here rather than at a commit the test never reaches."""
    with pytest.raises(IntegrityError), transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        write()
        connection.check_constraints()

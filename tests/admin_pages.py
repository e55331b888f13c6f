"""Admin change pages as a browser posts them back."""

from django import forms


def unwrap(widget):
    return getattr(widget, "widget", widget)


def form_data(response):
    """The change form of a response, as a browser would post it back unchanged."""
    context = response.context
    all_forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        all_forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in all_forms:
        for name, field in form.fields.items():
            key, value, widget = form.add_prefix(name), form[name].value(), unwrap(field.widget)
            if isinstance(widget, forms.FileInput):
                continue  # kept as it is when nothing is uploaded
            if isinstance(widget, forms.CheckboxInput):
                if value:
                    data[key] = "on"
                continue
            shown = widget.format_value(value)
            data[key] = "" if shown is None else shown
    return data

"""The change page of an account that may only view the record (a leader, a province officer
reading), made without forms.

Django's admin builds the whole form for such an account, a form for every related row (an
agreement's parties, commitments, events, photos and sources) and an empty one for each kind,
and then shows every field as text: most of a 75 ms page at national scale (issue 16). Here the
same page is made from the record itself: the fieldsets through Django's own Fieldset and
AdminReadonlyField (the same labels, values, links and markup), the related rows as the tables
and blocks of its inlines, with no form anywhere. A page that can save anything (an account
that may change records of the kind, a popup, a POST) is Django's, and so is a page with an
inline this module does not know (a generic relation's).
"""

import json
from types import SimpleNamespace

from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR, StackedInline
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    flatten_fieldsets,
    help_text_for_field,
    label_for_field,
    quote,
    unquote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.forms.models import _get_foreign_key
from django.template.defaultfilters import capfirst, linebreaksbr
from django.template.loader import select_template
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html, strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext as _

from localities.admin_lists import kept
from localities.admin_rows import change_address


class Unsupported(Exception):
    """A page this module does not make (an inline without a foreign key: a generic relation's):
    Django's is shown."""


def _foreign_key(inline):
    try:
        return _get_foreign_key(inline.parent_model, inline.model, fk_name=inline.fk_name)
    except (ValueError, AttributeError) as error:
        raise Unsupported from error


class ReadOnlyForm:
    """What Django's read-only fieldsets read of a form (AdminReadonlyField, Fieldline): the
    record, the form's labels and help texts, its fields' widgets. Nothing is bound or
    rendered, and every field is read-only."""

    def __init__(self, form_class, model, instance):
        meta = getattr(form_class, "_meta", None)
        self._meta = SimpleNamespace(
            model=model,
            labels=getattr(meta, "labels", None),
            help_texts=getattr(meta, "help_texts", None),
        )
        self.fields = getattr(form_class, "base_fields", {})
        self.instance = instance
        self.errors = {}
        self.label_suffix = _(":")  # a form's, whatever its class says

    def __getitem__(self, name):
        return SimpleNamespace(field=self.fields[name])

    def is_multipart(self):
        return False


class ReadOnlyAdminForm(helpers.AdminForm):
    """helpers.AdminForm over a ReadOnlyForm: its fieldsets, every field read-only."""

    def __init__(self, form, fieldsets, model_admin):
        super().__init__(
            form,
            list(fieldsets),
            {},
            readonly_fields=flatten_fieldsets(fieldsets),
            model_admin=model_admin,
        )

    @property
    def non_field_errors(self):
        return ""

    @property
    def media(self):
        return self.model_admin.media


class RelatedRows:
    """One inline's rows for the read-only page, in the markup of Django's tabular and stacked
    inlines (edit_inline/tabular.html, stacked.html and includes/fieldset.html, for fields that
    are all read-only), written here rather than by those templates: a template tag per cell
    was most of an agreement's page."""

    def __init__(self, inline, request, obj, fk, prefix):
        self.inline = inline
        self.prefix = prefix
        self.opts = inline.opts
        self.stacked = isinstance(inline, StackedInline)
        rows = inline.get_queryset(request).filter(**{fk.name: obj})
        if not rows.ordered:
            rows = rows.order_by(inline.model._meta.pk.name)
        self.fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != fk.name]})
            for name, options in inline.get_fieldsets(request, obj)
        ]
        self.names = flatten_fieldsets(self.fieldsets)
        # The rows' own foreign keys shown (a commitment's area, a photo's event) come with
        # them: one query per inline, whatever the number of rows.
        shown = [name for name in self.names if _is_forward_relation(inline.model, name)]
        if shown:
            rows = rows.select_related(*shown)
        self.rows = list(rows)
        self.change_link = inline.show_change_link and inline.has_registered_model
        self.label = capfirst(
            inline.verbose_name if inline.max_num == 1 else inline.verbose_name_plural
        )

    def _form(self, row):
        return ReadOnlyForm(self.inline.form, self.inline.model, row)

    def headers(self):
        form = self._form(None)
        labels = form._meta.labels or {}
        help_texts = form._meta.help_texts or {}
        for name in self.names:
            label = labels.get(name) or label_for_field(
                name, self.inline.model, self.inline, form=form
            )
            help_text = help_texts.get(name) or help_text_for_field(name, self.inline.model)
            yield name, label, help_text

    def _original(self, row):
        """The row's name, and a link to its own page when the inline shows one."""
        if not self.change_link:
            return conditional_escape(row)
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[quote(row.pk)],
            current_app=self.inline.admin_site.name,
        )
        return format_html('{} <a href="{}" class="inlineviewlink">{}</a>', row, url, _("View"))

    def html(self, last=False):
        """The inline's markup; `last` for the page's last inline (Django's last-related)."""
        heading = format_html(
            '<h2 id="{}-heading" class="inline-heading">{}</h2>', self.prefix, self.label
        )
        if not self.rows:
            body = format_html('<p class="readonly-related-empty">{}</p>', _("None recorded."))
        elif self.stacked:
            body = mark_safe(
                "".join(self._block(index, row) for index, row in enumerate(self.rows))
            )
        else:
            body = self._table()
        inner = format_html(
            '<fieldset class="module" aria-labelledby="{}-heading">{}{}</fieldset>',
            self.prefix,
            heading,
            body,
        )
        if not self.stacked:
            inner = format_html(
                '<div class="tabular inline-related{}">{}</div>',
                " last-related" if last else "",
                inner,
            )
        return format_html(
            '<div class="js-inline-admin-formset inline-group" id="{}-group">{}</div>',
            self.prefix,
            inner,
        )

    def _table(self):
        icon = static("admin/img/icon-unknown.svg")
        headers = []
        for name, label, help_text in self.headers():
            tip = ""
            if help_text:
                help_text = strip_tags(help_text)
                tip = format_html(
                    ' <img src="{}" class="help help-tooltip" width="10" height="10" alt="({})" '
                    'title="{}">',
                    icon,
                    help_text,
                    help_text,
                )
            headers.append(
                format_html('<th class="column-{}">{}{}</th>', name, capfirst(label), tip)
            )
        columns = [ReadOnlyColumn(self.inline, self._form(None), name) for name in self.names]
        lines = []
        for index, row in enumerate(self.rows):
            form = self._form(row)
            cells = "".join(
                f'<td class="field-{column.name}"><p>{column.contents(form)}</p></td>'
                for column in columns
            )
            lines.append(
                format_html(
                    '<tr class="form-row has_original" id="{}-{}"><td class="original"><p>{}</p>'
                    "</td>{}</tr>",
                    self.prefix,
                    index,
                    self._original(row),
                    mark_safe(cells),
                )
            )
        return format_html(
            '<table><thead><tr><th class="original"></th>{}</tr></thead><tbody>{}</tbody></table>',
            mark_safe("".join(headers)),
            mark_safe("".join(lines)),
        )

    @cached_property
    def layouts(self):
        form = self._form(None)
        return [
            FieldsetLayout(fieldset, self.inline, form)
            for fieldset in ReadOnlyAdminForm(form, self.fieldsets, self.inline)
        ]

    def _block(self, index, row):
        form = self._form(row)
        fieldsets = "".join(
            layout.html(form, f"{self.prefix}-{index}-{number}")
            for number, layout in enumerate(self.layouts)
        )
        return format_html(
            '<div class="inline-related has_original" id="{}-{}"><h3><b>{}:</b> '
            '<span class="inline_label">{}</span></h3>{}</div>',
            self.prefix,
            index,
            capfirst(self.opts.verbose_name),
            self._original(row),
            mark_safe(fieldsets),
        )


class ReadOnlyColumn:
    """AdminReadonlyField.contents() for one column of a table, with the label, the field and
    the linked model's address worked out once rather than for each cell. Values that are not
    plain fields of the row (a method, a widget that renders itself) are left to Django."""

    def __init__(self, inline, form, name):
        self.inline = inline
        self.name = name
        self.empty = inline.get_empty_value_display()
        self.field = None
        self.link = None
        widget = form.fields[name].widget if name in form.fields else None
        if isinstance(name, str) and not getattr(widget, "read_only", False):
            try:
                self.field = _get_non_gfk_field(inline.model._meta, name)
            except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
                self.field = None
        field = self.field
        if field is not None and (field.many_to_many or field.auto_created):
            self.field = None
        elif field is not None and field.is_relation:
            self.link = change_address(field.remote_field.model._meta, inline.admin_site.name)
            if self.link is None:
                self.field = None

    def contents(self, form):
        field = self.field
        if field is None:
            return helpers.AdminReadonlyField(form, self.name, False, self.inline).contents()
        try:
            value = getattr(form.instance, field.name)
        except (AttributeError, ValueError, ObjectDoesNotExist):
            return conditional_escape(self.empty)
        if self.link is not None and value is not None:
            if type(value.pk) is not int:  # an address reverse() must encode
                return helpers.AdminReadonlyField(form, self.name, False, self.inline).contents()
            before, after = self.link
            shown = format_html('<a href="{}{}{}">{}</a>', before, quote(value.pk), after, value)
        else:
            shown = display_for_field(value, field, self.empty)
        return _with_line_breaks(shown)


def _with_line_breaks(shown):
    """conditional_escape(linebreaksbr(shown)), as AdminReadonlyField.contents ends, without
    the filter's layers for the many values on one line (a page's hundred cells): the same
    text."""
    text = str(shown)
    if "\n" in text or "\r" in text:
        return conditional_escape(linebreaksbr(text))
    return text if isinstance(text, SafeData) else escape(text)


def _models_shown(model):
    """The model and those its rows' foreign keys name: what its rows' markup can show."""
    return [model] + [
        field.related_model
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not model
    ]


def _is_forward_relation(model, name):
    if not isinstance(name, str):
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.concrete and (field.many_to_one or field.one_to_one)


class FieldsetLayout:
    """includes/fieldset.html for a fieldset whose fields are all read-only, laid out once
    (labels, help texts, classes) for every row of a stacked inline: each row then adds its
    values."""

    def __init__(self, fieldset, model_admin, form, heading_level=4):
        self.heading_level = heading_level
        self.name = fieldset.name
        self.classes = fieldset.classes
        self.description = fieldset.description
        self.collapsible = bool(fieldset.name) and fieldset.is_collapsible
        self.lines = []
        for line in fieldset:
            fields = list(line)
            single = len(fields) == 1
            names = "" if line.has_visible_field else " hidden"
            names += "".join(
                f" field-{conditional_escape(field.field['name'])}"
                for field in fields
                if field.field["name"]
            )
            cells = []
            for field in fields:
                box = "flex-container"
                if not single and field.field["name"]:
                    box += f" fieldBox field-{field.field['name']}"
                elif not single:
                    box += " fieldBox"
                help_text = ""
                if field.field["help_text"]:
                    help_text = format_html(
                        '<div class="help"><div>{}</div></div>', mark_safe(field.field["help_text"])
                    )
                before = format_html(
                    '<div><div class="{}">{}<div class="readonly">', box, field.label_tag()
                )
                after = format_html("</div></div>{}</div>", help_text)
                column = ReadOnlyColumn(model_admin, form, field.field["field"])
                cells.append((before, column, after))
            self.lines.append((names, single, cells))

    def html(self, form, heading_id):
        lines = []
        for names, single, cells in self.lines:
            content = "".join(
                f"{before}{column.contents(form)}{after}" for before, column, after in cells
            )
            if not single:
                content = f'<div class="flex-container form-multiline">{content}</div>'
            lines.append(f'<div class="form-row{names}">{content}</div>')
        heading = description = labelled = ""
        if self.name:
            heading = format_html(
                '<h{} id="{}-heading" class="fieldset-heading">{}</h{}>',
                self.heading_level,
                heading_id,
                self.name,
                self.heading_level,
            )
            labelled = format_html(' aria-labelledby="{}-heading"', heading_id)
            if self.collapsible:
                heading = format_html("<details><summary>{}</summary>", heading)
        if self.description:
            description = format_html(
                '<div class="description">{}</div>', mark_safe(self.description)
            )
        return format_html(
            '<fieldset class="module aligned {}"{}>{}{}{}{}</fieldset>',
            self.classes,
            labelled,
            heading,
            description,
            mark_safe("".join(lines)),
            mark_safe("</details>") if self.collapsible else "",
        )


class ReadOnlyViewMixin:
    """A ModelAdmin whose change page, for an account that may view the record but not change
    it, is made from the record rather than from forms (see the module's docstring).

    related_rows_kept: the related rows' markup is kept until the data changes
    (readonly_related), for an admin whose inlines show every account that may view the record
    the same rows (an agreement's parties, commitments, events...), not rows of the account's
    own scope (a need's offers) or of tables whose writes drop no page."""

    related_rows_kept = False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if (
            request.method in ("GET", "HEAD")
            and IS_POPUP_VAR not in request.GET
            and TO_FIELD_VAR not in request.GET
            and self.has_view_permission(request)
            # An account that may change records of this kind gets Django's page, without
            # the record read twice (the rare record it may only view included).
            and not self.has_change_permission(request)
        ):
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is not None
                and self.has_view_permission(request, obj)
                and not self.has_change_permission(request, obj)
            ):
                try:
                    return self.readonly_view(request, obj, form_url, extra_context)
                except Unsupported:
                    pass
        return super().change_view(request, object_id, form_url, extra_context)

    def readonly_view(self, request, obj, form_url="", extra_context=None):
        fieldsets = self.get_fieldsets(request, obj)
        form = ReadOnlyForm(self.form, self.model, obj)
        related = []
        prefixes = {}
        for inline in self.get_inline_instances(request, obj):
            if not inline.has_view_or_change_permission(request, obj):
                continue
            # The prefix Django's formset would have: the relation's name, "-2" for a second
            # inline of the same model (the ids of the page's headings).
            fk = _foreign_key(inline)
            prefix = fk.remote_field.get_accessor_name(model=inline.model).replace("+", "")
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1:
                prefix = f"{prefix}-{prefixes[prefix]}"
            related.append((inline, fk, prefix))
        adminform = ReadOnlyAdminForm(form, fieldsets, self)
        context = {
            **self.admin_site.each_context(request),
            "title": _("View %s") % self.opts.verbose_name,
            "subtitle": str(obj),
            "adminform": adminform,
            # The record's fieldsets as change_form.html shows them (ids included).
            "readonly_fieldsets": [
                FieldsetLayout(fieldset, self, form, heading_level=2).html(
                    form, f"fieldset-0-{number}"
                )
                for number, fieldset in enumerate(adminform)
            ],
            "object_id": str(obj.pk),
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media,
            "inline_admin_formsets": [],
            "readonly_related": self.readonly_related(request, obj, related),
            "errors": [],
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        response = self.render_change_form(
            request, context, add=False, change=True, obj=obj, form_url=form_url
        )
        # The page the admin would show, its inlines replaced (readonly_change_form.html).
        parent = select_template(
            [response.template_name]
            if isinstance(response.template_name, str)
            else response.template_name
        )
        response.context_data["readonly_parent"] = parent.template
        response.template_name = "admin/readonly_change_form.html"
        return response

    def readonly_related(self, request, obj, inlines):
        """The markup of the record's related rows, one string for each of `inlines` ((inline,
        foreign key, prefix)). With related_rows_kept, kept until the data the public pages show
        changes (an agreement's parties, commitments, events, photos and sources are six queries
        and half of its page), as an admin list's count is (localities.admin_lists.kept). The key
        holds what else the markup depends on: the inlines and their fields, the models they
        show (a model whose writes drop no page is never kept), the site's addresses and time
        zone; the language and the day are added by the keeper."""

        def compute():
            related = [
                RelatedRows(inline, request, obj, fk, prefix) for inline, fk, prefix in inlines
            ]
            return [
                rows.html(last=number == len(related) - 1) for number, rows in enumerate(related)
            ]

        if not (inlines and self.related_rows_kept):
            return compute()
        key = [self.model, str(obj.pk), self.admin_site.name]
        for inline, _fk, prefix in inlines:
            key += [
                f"{type(inline).__module__}.{type(inline).__qualname__}",
                prefix,
                json.dumps(inline.get_fieldsets(request, obj), default=str),
                *_models_shown(inline.model),
            ]
        key += [
            get_script_prefix(),
            static("admin/img/icon-unknown.svg"),
            timezone.get_current_timezone_name(),
        ]
        return kept("readonly-related", tuple(key), compute)

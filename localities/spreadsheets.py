"""Spreadsheets as clerks fill them in, shared by every Excel import and export of the project.

Widgets read Vietnamese dates (26/7/2003), localities by official code or by name (diacritics
ignored), choices by their label, yes/no cells; each raises ValueError with a sentence naming the
bad value, which import-export shows at the row and column that is wrong. SpreadsheetResource
makes an import all or nothing, numbers rows as the spreadsheet does, tells errors by column
header and keeps exported cells from running as formulas. ExcelTemplate is the file to fill in,
with the import's own headers and example rows; ImportTemplateMixin serves it in the admin.

This module sits in the base app so that agreements and activities can import it.
"""

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import path
from django.utils.html import conditional_escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import RowResult
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from localities.models import Locality
from localities.text import search_key

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell that starts with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel counts days from 30-12-1899 (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


# "Xã Ia Dơk (23869)": a record's name for the person who reads the cell, then its key (an
# official code, a short name) for the import that reads it back.
LABELLED = re.compile(r"^(?P<name>.*\S)\s*\((?P<key>[^()\s]+)\)$")


def labelled(name, key):
    """'Xã Ia Dơk (23869)'; the name alone when there is no key."""
    return f"{name} ({key})" if key else name


def label_of(text):
    """(name, key) of a labelled cell ('Xã Ia Dơk', '23869'), or None."""
    match = LABELLED.match(text)
    return (match["name"], match["key"]) if match else None


def neutralised(value):
    """'=1+1' → "'=1+1": a spreadsheet shows the text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def column(attribute, name, widget):
    return fields.Field(attribute=attribute, column_name=name, widget=widget)


# --- Widgets ---------------------------------------------------------------------------------


class TextWidget(widgets.Widget):
    """Text, trimmed and in composed form (NFC: a name typed on a Mac or pasted from the web may
    come decomposed); the quote that export puts before a would-be formula is taken off again."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return ""
        text = unicodedata.normalize("NFC", str(value)).strip()
        if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
            text = text[1:]
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DateWidget(widgets.Widget):
    """26/7/2003, 26-7-2003, 2003-07-26 or an Excel date cell; written back as 26/7/2003."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and 1 <= value < 2958466:  # Excel's serial numbers, up to 31-12-9999
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        text = str(value).strip()
        for date_format in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007 (a date)
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date: write the day, month and year, e.g. 26/7/2003.")
            % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return f"{value.day}/{value.month}/{value.year}"


class ChoiceWidget(widgets.Widget):
    """A choice by its label in the active language or by its code, diacritics and case
    ignored: 'hơn', 'Hon' and 'over' are the same qualifier. An empty cell gives the default.

    `aliases` ({words: code}) are words a label used to be (docs/glossary.md): a spreadsheet
    written with them still reads."""

    def __init__(self, choices, default, aliases=None, **kwargs):
        self.choices = choices
        self.default = default
        self.aliases = {search_key(words): code for words, code in (aliases or {}).items()}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return self.default
        key = search_key(value)
        for code, label in self.choices.choices:
            if key in (search_key(code), search_key(str(label))):
                return code
        if key in self.aliases:
            return self.aliases[key]
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(str(label) for label in self.choices.labels)}
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return str(self.choices(value).label)


class YesNoWidget(widgets.Widget):
    """'Có' or 'Không' (Yes or No in the active language), also x, 1, 0, yes, no or a ticked
    cell; an empty cell is no."""

    YES = frozenset({"x", "1", "yes", "y", "true", "co"})
    NO = frozenset({"0", "no", "n", "false", "khong"})

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        key = search_key(value)
        if key in self.YES or key == search_key(_("Yes")):
            return True
        if key in self.NO or key == search_key(_("No")):
            return False
        raise ValueError(
            _("“%(value)s” is neither “%(yes)s” nor “%(no)s”; an empty cell means “%(no)s”.")
            % {"value": value, "yes": _("Yes"), "no": _("No")}
        )

    def render(self, value, obj=None, **kwargs):
        return _("Yes") if value else _("No")


class LocalityWidget(widgets.Widget):
    """A locality by official code, or by name with diacritics and case ignored; 'Làng Ghè, Xã
    Ia Dơk' names the unit it lies in when several share a name.

    ``localities``: those a cell may name (every locality unless narrowed).
    """

    localities = Locality.objects.all()

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(int(value))  # a code typed into a number cell
        text = str(value).strip()
        labelled_unit = self.by_label(text)
        if labelled_unit is not None:
            return labelled_unit
        found = list(self.localities.filter(code=text)[:1])
        if not found:
            found = self.by_name(text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(self.not_found(value))
        raise ValueError(
            _(
                "Several localities are called “%(value)s”; write the official code, or the name "
                "followed by the unit it lies in: %(candidates)s."
            )
            % {"value": value, "candidates": "; ".join(self.render(loc) for loc in found)}
        )

    def by_label(self, text):
        """The unit of 'Xã Ia Dơk (23869)' (how render writes it): the code's, provided the
        name before it is that unit's; None when the brackets hold no code of the register
        (they may be part of a name)."""
        match = LABELLED.match(text)
        if match is None:
            return None
        unit = self.localities.filter(code=match["key"]).select_related("parent").first()
        if unit is None:
            return None
        names = {search_key(unit.name)}
        if unit.parent_id:
            names.add(search_key(f"{unit.name}, {unit.parent.name}"))
        if search_key(match["name"]) not in names:
            raise ValueError(
                _(
                    "“%(value)s”: the code %(code)s is that of %(name)s, not of the name written "
                    "before it; write the code or the name alone."
                )
                % {"value": text, "code": match["key"], "name": unit.name}
            )
        return unit

    def not_found(self, value):
        """The sentence for a code or name that names no locality the cell may hold."""
        return _("No locality has the code or name “%(value)s”.") % {"value": value}

    def by_name(self, text):
        found = list(
            self.localities.filter(search_key=search_key(text)).select_related("parent")[:6]
        )
        if found or "," not in text:
            return found
        name, parent = (part.strip() for part in text.rsplit(",", 1))
        return list(
            self.localities.filter(
                search_key=search_key(name), parent__search_key=search_key(parent)
            ).select_related("parent")[:6]
        )

    def render(self, value, obj=None, **kwargs):
        """'Xã Ia Dơk (23869)' for a unit of the register, 'Làng Ghè, Xã Ia Dơk' for a village:
        a name the clerk reads, and that the import reads back to the same unit."""
        if value is None:
            return ""
        if value.code:
            return labelled(value.name, value.code)
        if value.parent_id:
            return f"{value.name}, {value.parent.name}"
        return value.name


# --- Resources -------------------------------------------------------------------------------


class SpreadsheetResource(resources.ModelResource):
    """A model in and out of Excel, as clerks fill the file in.

    One bad row and nothing is written (through the admin or the API alike); blank rows are
    skipped; rows are numbered as the spreadsheet numbers them; errors are told by column
    header, as the clerk sees them; exported text never starts like a formula. Subclasses name
    their columns with gettext_lazy and may add errors that concern several cells (row_errors).
    """

    # Fields that full_clean must not check: derived in save(), such as search keys.
    clean_exclude = ()

    class Meta:
        import_id_fields = ()
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Headers in the language of the request that builds the resource: the row dicts are
        # keyed by plain strings.
        for field in self.fields.values():
            field.column_name = str(field.column_name)

    def import_data(self, dataset, *args, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, *args, **kwargs)
        # Rows numbered as the spreadsheet numbers them: the headers are row 1.
        for row in (*result.invalid_rows, *result.error_rows):
            row.number += 1
        return result

    def import_row(self, row, instance_loader, **kwargs):
        # A row left blank (example rows cleared, trailing formatted rows) is no row at all.
        if all(is_empty(value) for value in row.values()):
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        return super().import_row(row, instance_loader, **kwargs)

    def row_errors(self, instance, errors):
        """Errors of the row beyond its cells' own, {field name: ValidationError}. ``errors``
        holds those already found, by field name: a field that has one keeps it."""
        return {}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # A cell's own error comes first: what the row adds is told at the other columns.
        for name, error in self.row_errors(instance, errors).items():
            errors.setdefault(name, error)
        if self._meta.clean_model_instances:
            try:
                instance.full_clean(
                    exclude=[*errors, *self.clean_exclude], validate_unique=validate_unique
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            columns = {name: field.column_name for name, field in self.fields.items()}
            raise ValidationError(
                {
                    columns.get(name, name) if name != NON_FIELD_ERRORS else name: messages
                    for name, messages in ValidationError(errors).message_dict.items()
                }
            )

    def export_field(self, field, instance, **kwargs):
        return neutralised(super().export_field(field, instance, **kwargs))


# --- The Excel template to fill in -----------------------------------------------------------


@dataclass(frozen=True)
class ExcelTemplate:
    """The file a clerk fills in: one header row (the import's own headers, in the active
    language) and example rows, given by field name, that import as they are."""

    resource_class: type
    examples: list[dict[str, Any]]
    sheet_title: Any  # a lazy string, translated when the file is built
    filename: str

    def build(self):
        """The workbook's bytes."""
        resource = self.resource_class()
        names = list(resource._meta.fields)
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(self.sheet_title)
        sheet.append([resource.fields[name].column_name for name in names])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for example in self.examples:
            sheet.append([example.get(name, "") for name in names])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"
        for index in range(1, len(names) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 22
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def response(self):
        response = HttpResponse(self.build(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


# --- the import's preview, as a clerk reads it ---------------------------------------------


@dataclass(frozen=True)
class PreviewCell:
    html: str  # import-export's marked-up value of a valid row, the escaped cell of a wrong one
    errors: tuple = ()

    @property
    def is_empty(self):
        return not strip_tags(self.html).strip() and not self.errors


@dataclass(frozen=True)
class PreviewRow:
    number: int  # as the spreadsheet numbers it: the headers are row 1
    kind: str  # new, update, skip, delete; "invalid" for a row with errors
    cells: tuple
    errors: tuple = ()  # the row's errors that name no column


@dataclass(frozen=True)
class ImportPreview:
    """The rows of an import as a table to read: the columns that hold something (an empty
    column of the template is left out), values by name, and each error in the cell it is
    about, with its message; a row's other errors beside its number.

    When a row is wrong nothing is imported: the preview then lists the wrong rows only."""

    headers: tuple
    rows: tuple
    invalid: bool
    valid_count: int

    @classmethod
    def of(cls, result):
        headers = [str(header) for header in result.diff_headers]
        invalid = result.has_validation_errors()
        if invalid:
            rows = [_invalid_row(row, headers) for row in result.invalid_rows]
        else:
            # Numbered by their place among all the rows read (the headers are row 1); a blank
            # row, read as nothing to import, has no cells and is left out.
            rows = [
                PreviewRow(
                    number=index + 2,
                    kind=row.import_type,
                    cells=tuple(PreviewCell(mark_safe(html or "")) for html in row.diff),
                )
                for index, row in enumerate(result.rows)
                if row.diff and row.import_type != RowResult.IMPORT_TYPE_ERROR
            ]
        shown = [i for i in range(len(headers)) if any(not row.cells[i].is_empty for row in rows)]
        written = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        return cls(
            headers=tuple(headers[i] for i in shown),
            rows=tuple(
                PreviewRow(row.number, row.kind, tuple(row.cells[i] for i in shown), row.errors)
                for row in rows
            ),
            invalid=invalid,
            valid_count=sum(row.import_type in written for row in result.valid_rows()),
        )


def _invalid_row(row, headers):
    errors = row.field_specific_errors
    cells = []
    for header, value in zip(headers, row.values, strict=True):
        shown = "" if value is None or value == "---" else str(value)
        cells.append(PreviewCell(conditional_escape(shown), tuple(errors.get(header, ()))))
    elsewhere = [
        f"{name}: {message}"
        for name, messages in errors.items()
        if name not in headers
        for message in messages
    ]
    return PreviewRow(
        number=row.number,
        kind="invalid",
        cells=tuple(cells),
        errors=(*row.non_field_specific_errors, *elsewhere),
    )


class ImportTemplateMixin:
    """For a ModelAdmin with import-export's ImportExportMixin: the Excel template to fill in at
    'import-template/' (admin:<app>_<model>_import_template), for those who may import, linked
    from the change list and the import page (templates/admin/spreadsheets/)."""

    excel_template = None  # an ExcelTemplate
    change_list_template = "admin/spreadsheets/change_list.html"

    def import_action(self, request, **kwargs):
        """import-export's import page, with the preview as a clerk reads it (ImportPreview)."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if context.get("result") is not None:
            context["preview"] = ImportPreview.of(context["result"])
        return response

    def get_urls(self):
        def template_view(request):
            if not self.has_import_permission(request):
                raise PermissionDenied
            return self.excel_template.response()

        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import-template/",
                self.admin_site.admin_view(template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

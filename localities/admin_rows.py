"""The rows of an admin list, as Django's admin writes them (admin_list.items_for_result), with
what is the same in every row worked out once per list rather than once per cell.

Django looks up each column's field or callable, its empty value, its classes and the change
page's address again for every cell: at fifty rows of eight columns that is most of a list's
time (issue 16: every admin list within five times the base page at national scale). Here a Column
knows, before the first row, how to read its value and what its cell looks like; each row then
costs an attribute read, a display and a string. The markup is the same as Django's, cell for
cell (tests/test_admin_speed.py compares the two on every list of the project).

A list with editable columns (list_editable: a form per row) is written by Django's code.
"""

import datetime
import html

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    items_for_result,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

# Stands for the primary key in the change page's address made once per list.
PK_MARK = "9e1f7c3b0d5a"


def change_address(opts, site_name, finish=None):
    """(before, after) the primary key in the address of a change page of the model `opts`
    describes, from one reverse() (and `finish`, given the address, for what follows it); None
    when the admin has no such page. For integer keys only: reverse() encodes others."""
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=(PK_MARK,),
            current_app=site_name,
        )
    except NoReverseMatch:
        return None
    if finish is not None:
        url = finish(url)
    parts = url.split(PK_MARK)
    return tuple(parts) if len(parts) == 2 else None


class Column:
    """One column of a list: how to read its value from a row and how its cell is written."""

    def __init__(self, cl, index, field_name, link):
        self.cl = cl
        self.name = field_name
        self.link = link
        admin = cl.model_admin
        self.empty = admin.get_empty_value_display()
        self.classes = [f"field-{_coerce_field_name(field_name, index)}"]
        self.field = None  # a model field read straight from the row
        self.method = None  # a callable given the row
        self.boolean = False
        if field_name == "action_checkbox":
            self.classes = ["action-checkbox"]
        # In lookup_field's order: a field of the model, then a callable, then the admin's
        # method; anything else (a property, a path across relations) is read as it reads it.
        field = None
        if isinstance(field_name, str):
            try:
                field = _get_non_gfk_field(cl.lookup_opts, field_name)
            except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
                field = None
        if field is not None:
            if not (field.auto_created or field.many_to_many):
                self.field = field
        elif callable(field_name):
            self.method = field_name
        elif hasattr(admin, field_name) and field_name != "__str__":
            self.method = getattr(admin, field_name)
        if self.method is not None:
            self.empty = getattr(self.method, "empty_value_display", self.empty)
            self.boolean = getattr(self.method, "boolean", False)
        if isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey)):
            self.classes.append("nowrap")
        self.fixed_class = SafeString(f' class="{" ".join(self.classes)}"')
        # A cell whose relation is gone: Django's classes then are the column's name only.
        self.gone_class = SafeString(f' class="{self.classes[0]}"')
        self.default_empty = admin.get_empty_value_display()

    def cell(self, row):
        """(the cell's content, its class attribute)."""
        field = self.field
        if field is not None:
            if isinstance(field.remote_field, models.ManyToOneRel):
                try:
                    value = getattr(row, field.name)
                except ObjectDoesNotExist:
                    return self.default_empty, self.gone_class
                return (self.empty if value is None else value), self.fixed_class
            value = getattr(row, field.name)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            shown = display_for_field(value, field, self.empty, avoid_link=self.link)
            return shown, self.fixed_class
        if self.method is not None:
            try:
                value = self.method(row)
            except ObjectDoesNotExist:
                return self.default_empty, self.gone_class
            return self._plain(value, self.empty, self.boolean)
        return self._looked_up(row)

    def _plain(self, value, empty, boolean):
        if isinstance(value, str) and value.strip() == "":
            value = ""
        shown = display_for_value(value, empty, boolean)
        if isinstance(value, (datetime.date, datetime.time)):
            return shown, SafeString(f' class="{" ".join([*self.classes, "nowrap"])}"')
        return shown, self.fixed_class

    def _looked_up(self, row):
        """Any other column (a property, a path across relations), as Django reads it."""
        try:
            field, attr, value = lookup_field(self.name, row, self.cl.model_admin)
        except ObjectDoesNotExist:
            return self.default_empty, self.gone_class
        empty = getattr(attr, "empty_value_display", self.empty)
        if field is None or field.auto_created:
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            return self._plain(value, empty, boolean)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        classes = self.classes
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes = [*classes, "nowrap"]
        if isinstance(field.remote_field, models.ManyToOneRel):
            related = getattr(row, field.name)
            shown = empty if related is None else related
        else:
            shown = display_for_field(value, field, empty, avoid_link=self.link)
        return shown, SafeString(f' class="{" ".join(classes)}"')


class RowWriter:
    """The cells of every row of a list, as items_for_result writes them."""

    def __init__(self, cl):
        self.cl = cl
        links = cl.list_display_links
        columns = []
        first = True
        for index, name in enumerate(cl.list_display):
            if links is None:
                link = False
            elif first and not links:
                link = True
            else:
                link = name in links
            if link:
                first = False
            columns.append(Column(cl, index, name, link))
        self.columns = columns
        self.address = self._address()

    def _address(self):
        """(before, after) the primary key in a row's change page address, preserved filters
        included: one reverse() for the list, used for the rows whose key is an integer."""
        cl = self.cl
        return change_address(
            cl.opts,
            cl.model_admin.admin_site.name,
            lambda url: add_preserved_filters(
                {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
            ),
        )

    def url(self, row):
        if self.address is None or type(row.pk) is not int:
            url = self.cl.url_for_result(row)
            return add_preserved_filters(
                {"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}, url
            )
        before, after = self.address
        return f"{before}{row.pk}{after}"

    def cells(self, row):
        cl = self.cl
        first = True
        for column in self.columns:
            shown, class_attr = column.cell(row)
            if not column.link:
                yield SafeString(f"<td{class_attr}>{_escaped(shown)}</td>")
                continue
            tag = "th" if first else "td"
            first = False
            try:
                url = self.url(row)
            except NoReverseMatch:
                link = _escaped(shown)
            else:
                popup = ""
                if cl.is_popup:
                    value = row.serializable_value(
                        str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname
                    )
                    popup = format_html(' data-popup-opener="{}"', value)
                link = f'<a href="{_escaped(url)}"{popup}>{_escaped(shown)}</a>'
            yield SafeString(f"<{tag}{class_attr}>{link}</{tag}>")


def _escaped(value):
    """conditional_escape(value), without its layers (a list escapes some four hundred
    cells): the same text."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def results(cl):
    """What admin_list.results yields, a row's cells joined: the same page."""
    if cl.formset:
        for row, form in zip(cl.result_list, cl.formset.forms, strict=False):
            yield ResultList(form, items_for_result(cl, row, form))
        return
    writer = RowWriter(cl)
    for row in cl.result_list:
        # A row's cells as one string: change_list_results.html writes a row's items one after
        # the other, and one template variable a row costs less than one a cell.
        yield ResultList(None, [SafeString("".join(writer.cells(row)))])

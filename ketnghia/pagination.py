"""The open-data API's pages: keyset pagination over each list's own order.

A page's `next` address carries the sort values of its last item (an opaque `cursor`), and the
next page is the rows after them in the list's order, read from an index. So a deep page costs
what the first does, where `?page=500` made the database count past 25,000 rows first; and a
list that changes between two requests neither repeats nor skips a row.

The order is the list's own (a `sort` filter's, or the model's), made unique with the primary key;
DRF's CursorPagination would impose one order of its own, and break ties by an offset it caps.
"""

import base64
import binascii
import datetime
import json

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Func, TextField, Value
from django.db.models.lookups import GreaterThan, LessThan
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

AFTER, BEFORE = "a", "b"


class KeysetPagination(CursorPagination):
    """Pages of PAGE_SIZE in the queryset's order: `next`, `previous` and `results`."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.ordering = _unique_ordering(queryset)
        self.fields = [self._field(queryset.model, name.lstrip("-")) for name in self.ordering]
        direction, position = self._decode(request)
        backwards = direction == BEFORE
        order = [_flip(name) for name in self.ordering] if backwards else self.ordering
        queryset = queryset.order_by(*order)
        if position is not None:
            queryset = queryset.filter(self._beyond(position, backwards))
        rows = list(queryset[: self.page_size + 1])
        more, self.page = len(rows) > self.page_size, rows[: self.page_size]
        if backwards:
            self.page.reverse()
        # Going back, the page we came from follows; going forward, the one we came from
        # precedes (none on the first page).
        self.has_next = backwards or more
        self.has_previous = more if backwards else position is not None
        return self.page

    def get_next_link(self):
        if not (self.has_next and self.page):
            return None
        return self._link(AFTER, self.page[-1])

    def get_previous_link(self):
        if not (self.has_previous and self.page):
            return None
        return self._link(BEFORE, self.page[0])

    # --- the cursor: (direction, the sort values of an item) -----------------------------------

    def _link(self, direction, item):
        values = [_plain(field.value_from_object(item)) for field in self.fields]
        data = json.dumps([direction, values], separators=(",", ":")).encode()
        cursor = base64.urlsafe_b64encode(data).decode().rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def _decode(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None, None
        try:
            data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            direction, values = json.loads(data)
            if direction not in (AFTER, BEFORE) or len(values) != len(self.fields):
                raise ValueError
            pairs = zip(self.fields, values, strict=True)
            position = [field.to_python(value) for field, value in pairs]
            if any(value is None or not _storable(value) for value in position):
                raise ValueError
        except (ValueError, TypeError, OverflowError, binascii.Error, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None
        return direction, position

    @staticmethod
    def _field(model, name):
        try:
            return model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            raise AssertionError(f"keyset pagination cannot follow {name!r}") from None

    def _beyond(self, position, backwards):
        """The rows after `position` in the order (before it, `backwards`): one comparison of
        rows, `(starts_on, id) < (…, …)`, which the database reads as a range of its index."""
        greater = self.ordering[0].startswith("-") == backwards
        pairs = zip(position, self.fields, strict=True)
        values = [Value(value, output_field=field) for value, field in pairs]
        names = [name.lstrip("-") for name in self.ordering]
        return (GreaterThan if greater else LessThan)(_Row(*names), _Row(*values))


class _Row(Func):
    """A row of values, `(a, b)`, compared as a whole (PostgreSQL and SQLite)."""

    template = "(%(expressions)s)"
    output_field = TextField()


def _unique_ordering(queryset):
    """The queryset's order, ended by its key: fields of its own, all one way (rows compare as
    a whole), as every list of the API is sorted."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ())
    if not {"pk", "-pk", "id", "-id"} & set(ordering):
        ordering.append("-pk" if ordering and ordering[-1].startswith("-") else "pk")
    assert all(isinstance(name, str) and "__" not in name for name in ordering), ordering
    assert len({name.startswith("-") for name in ordering}) == 1, ordering
    return ordering


def _storable(value):
    """A value the databases can compare: an integer of 64 bits, not a float's infinity."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return not isinstance(value, float)


def _flip(name):
    return name[1:] if name.startswith("-") else f"-{name}"


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value

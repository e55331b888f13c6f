"""The admin site: Django's, with autocomplete results that can say more than __str__."""

from functools import partial, update_wrapper

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.forms.widgets import MEDIA_TYPES
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import SimpleLazyObject

from ketnghia import inbox


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Lets a ModelAdmin label its autocomplete results (autocomplete_label(obj)).

    "Xã Tân Thành" names seven communes in the register: the list must tell them apart, which
    __str__ cannot do without touching a relation.
    """

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class KeptMedia(forms.Media):
    """A page's scripts and stylesheets, their tags written once for the same files: every
    list and form writes a dozen <script> tags, each through static() (the manifest's name of
    the file), the same on every request."""

    @classmethod
    def of(cls, media):
        kept = cls()
        kept._css_lists = list(media._css_lists)
        kept._js_lists = list(media._js_lists)
        return kept

    def __getitem__(self, name):
        # Django's makes a Media of the merged files; the lists are kept as they are here,
        # merged only when the tags are written.
        if name not in MEDIA_TYPES:
            raise KeyError(f"Unknown media type {name!r}")
        kept = KeptMedia()
        if name == "js":
            kept._js_lists = list(self._js_lists)
        else:
            kept._css_lists = list(self._css_lists)
        return kept

    def __add__(self, other):
        return KeptMedia.of(super().__add__(other))

    def render_js(self):
        lists = tuple(tuple(files) for files in self._js_lists)
        return _written("js", lists, super().render_js)

    def render_css(self):
        lists = tuple(
            tuple((medium, tuple(files)) for medium, files in sorted(css.items()))
            for css in self._css_lists
        )
        return _written("css", lists, super().render_css)


def _written(kind, lists, write):
    """write() (the tags of the files `lists` name, merged in their order), kept by the lists
    and where static files are served from; written every time for files given as objects
    (Script, with attributes of its own)."""
    if not all(isinstance(name, str) for name in _flat(lists)):
        return write()
    key = (kind, lists, settings.STATIC_URL, settings.DEBUG)
    tags = _TAGS.get(key)
    if tags is None:
        tags = _TAGS[key] = list(write())
    return tags


def _flat(items):
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _flat(item)
        else:
            yield item


# The tags of a page's scripts and stylesheets (KeptMedia), by their files: one entry for
# each combination the admin's pages use, some dozens.
_TAGS = {}


class SiteAdmin(admin.AdminSite):
    # The navigation sidebar took 280 px of a clerk's 1280 px screen from every list and form;
    # the index and the breadcrumbs lead to the same pages.
    enable_nav_sidebar = False

    def each_context(self, request):
        """Django's, but the list of every model the account may see (available_apps, a
        permission check per model) is made only if a template reads it: only the navigation
        sidebar, which is off, does (the index and the app pages make their own list)."""
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if self.site_url == "/" and script_name else self.site_url
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(lambda: self.get_app_list(request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
            # The badge beside "Inbox" (templates/admin/base_site.html): one query, when shown.
            "inbox_unread": SimpleLazyObject(lambda: inbox.unread_count(request.user)),
        }

    def admin_view(self, view, cacheable=False):
        """Django's, the page's media written as KeptMedia."""
        guarded = super().admin_view(view, cacheable)

        def with_kept_media(request, *args, **kwargs):
            response = guarded(request, *args, **kwargs)
            if isinstance(response, TemplateResponse) and response.context_data:
                media = response.context_data.get("media")
                if isinstance(media, forms.Media) and not isinstance(media, KeptMedia):
                    response.context_data["media"] = KeptMedia.of(media)
            return response

        return update_wrapper(with_kept_media, guarded)

    def get_urls(self):
        def view(function):
            return self.admin_view(partial(function, self))

        return [
            path("inbox/", view(inbox.inbox), name="inbox"),
            path("inbox/<int:pk>/", view(inbox.open_reminder), name="inbox_open"),
            path("inbox/settings/", view(inbox.reminder_settings), name="reminder_settings"),
            path("worklist/", view(inbox.worklist), name="worklist"),
            *super().get_urls(),
        ]

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)

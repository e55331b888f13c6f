"""The admin site: Django's, with autocomplete results that can say more than __str__."""

from functools import partial

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
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

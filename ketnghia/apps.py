from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class KetnghiaConfig(AppConfig):
    name = "ketnghia"
    verbose_name = "Kết nghĩa"

    def ready(self):
        from ketnghia import (  # noqa: F401 (checks registers)
            checks,
            inbox,
            opendata_files,
            pagecache,
            permissions,
        )

        pagecache.connect()
        opendata_files.connect()
        permissions.connect()
        inbox.connect()


class KetnghiaAdminConfig(AdminConfig):
    default_site = "ketnghia.admin_site.SiteAdmin"


class AxesConfig(AxesAppConfig):
    """django-axes, named in the admin's language (its own app has no translatable name)."""

    verbose_name = _("Login attempts")

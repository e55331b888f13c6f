from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class KetnghiaConfig(AppConfig):
    name = "ketnghia"
    verbose_name = "Kết nghĩa"


class KetnghiaAdminConfig(AdminConfig):
    default_site = "ketnghia.admin.SiteAdmin"

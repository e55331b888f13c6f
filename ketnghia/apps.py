from django.apps import AppConfig


class KetnghiaConfig(AppConfig):
    name = "ketnghia"
    verbose_name = "Kết nghĩa"

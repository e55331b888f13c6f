from django.urls import path

from ketnghia import opendata_views

app_name = "opendata"
urlpatterns = [
    path("", opendata_views.index, name="index"),
    path("<slug:dataset>.<slug:fmt>", opendata_views.download, name="download"),
]

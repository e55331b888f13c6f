from django.urls import path

from ketnghia.public import search_views as views

app_name = "search"
urlpatterns = [
    path("tim-kiem/", views.results, name="results"),
]

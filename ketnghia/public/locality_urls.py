from django.urls import path

from ketnghia.public import locality_views as views

app_name = "localities"
urlpatterns = [
    # Before the pages: "goi-y" would read as a locality's slug.
    path("dia-phuong/goi-y/", views.suggestions, name="suggestions"),
    path("dia-phuong/<slug:slug>/", views.locality_detail, name="detail"),
]

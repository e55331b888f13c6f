from django.urls import path

from ketnghia.public import locality_views as views

app_name = "localities"
urlpatterns = [
    path("dia-phuong/<slug:slug>/", views.locality_detail, name="detail"),
]

from django.urls import path

from localities import views

app_name = "localities"
urlpatterns = [
    path("dia-phuong/<slug:slug>/", views.locality_detail, name="detail"),
]

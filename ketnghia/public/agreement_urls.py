from django.urls import path

from ketnghia.public import agreement_views as views

app_name = "agreements"
urlpatterns = [
    path("giao-uoc/", views.agreement_list, name="list"),
    path("giao-uoc/<slug:slug>/", views.agreement_detail, name="detail"),
    path("van-ban/<slug:slug>/", views.legal_document_detail, name="legal_document"),
]

from django.urls import path

from ketnghia.public import needs_views as views

app_name = "needs"
urlpatterns = [
    path("can-ket-nghia/", views.board, name="board"),
    path("can-ket-nghia/<int:pk>/", views.need_detail, name="detail"),
]

from django.urls import path

from ketnghia.public import dashboard_views as views

# The workbooks' addresses end in ".xlsx", which no locality slug can: they never shadow a
# locality's dashboard. "vung-dong-bao" comes before <slug> for the same reason.
app_name = "dashboards"
urlpatterns = [
    path("thong-ke/", views.province, name="province"),
    path("thong-ke/bao-cao.xlsx", views.province_xlsx, name="province_xlsx"),
    path("thong-ke/vung-dong-bao/", views.coverage, name="coverage"),
    path("thong-ke/vung-dong-bao/bao-cao.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
    path("thong-ke/<slug:slug>/", views.locality, name="locality"),
    path("thong-ke/<slug:slug>/bao-cao.xlsx", views.locality_xlsx, name="locality_xlsx"),
]

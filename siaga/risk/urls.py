from django.urls import path

from siaga.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tps/<int:tps_id>/", views.tps_detail, name="tps"),
    path("peringatan/", views.alert_list, name="alerts"),
    path("peringatan/<int:pk>/terima/", views.alert_ack, name="alert_ack"),
    path("indikator/", views.indicators, name="indicators"),
    path("ikp/", views.ikp, name="ikp"),
    path("impor/", views.mapping_import, name="import"),
]

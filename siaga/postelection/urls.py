"""Pages of the watch after the vote, mounted at /pasca/."""

from django.urls import path

from siaga.postelection import views

app_name = "postelection"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("titik/baru/", views.watchpoint_create, name="watchpoint-create"),
    path("titik/<int:pk>/", views.watchpoint_edit, name="watchpoint-edit"),
    path("massa/baru/", views.gathering_create, name="gathering-create"),
    path("massa/<int:pk>/", views.gathering_edit, name="gathering-edit"),
    path("psu/baru/", views.revote_create, name="revote-create"),
    path("psu/<int:pk>/", views.revote_edit, name="revote-edit"),
    path("kesiapan/<int:pk>/centang/", views.readiness_tick, name="readiness-tick"),
    path("kalender-bawaan/", views.seed, name="seed"),
]

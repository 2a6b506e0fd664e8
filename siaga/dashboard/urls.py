from django.urls import path

from siaga.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.situation_room, name="situation-room"),
    path("banner/", views.phase_banner, name="banner"),
    path("pimpinan/", views.leadership_briefing, name="briefing"),
]

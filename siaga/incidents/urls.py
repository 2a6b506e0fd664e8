from django.urls import path

from siaga.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("feed/", views.feed, name="feed"),
    path("tps/<int:pk>/", views.tps_history, name="tps-history"),
    path("lampiran/<int:pk>/", views.media, name="media"),
    path("<str:ticket>/", views.incident_detail, name="detail"),
    path("<str:ticket>/status/", views.incident_transition, name="transition"),
    path("<str:ticket>/catatan/", views.incident_note, name="note"),
    path("<str:ticket>/bagikan/", views.incident_share, name="share"),
]

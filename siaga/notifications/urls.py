from django.urls import path

from siaga.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/baca/", views.mark_read, name="read"),
    path("baca-semua/", views.mark_all_read, name="read-all"),
    path("preferensi/", views.preferences, name="preferences"),
]

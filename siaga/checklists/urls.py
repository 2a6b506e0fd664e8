from django.urls import path

from siaga.checklists import views

app_name = "checklists"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tps/<int:tps_id>/", views.tps_history, name="tps"),
    path("foto/<int:pk>/", views.photo, name="photo"),
]

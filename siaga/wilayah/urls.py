from django.urls import path

from siaga.wilayah import views

app_name = "wilayah"

urlpatterns = [
    path("<str:code>/", views.region_detail, name="region"),
    path("tps/<int:pk>/", views.tps_detail, name="tps"),
]

from django.urls import path

app_name = "logistics"

urlpatterns: list = []

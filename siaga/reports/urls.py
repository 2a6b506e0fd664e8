from django.urls import path

from siaga.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("buat/", views.generate, name="generate"),
    path("<str:day>/", views.detail, name="detail"),
    path("<str:day>/pdf", views.pdf, name="pdf"),
    path("<str:day>/xlsx", views.xlsx, name="xlsx"),
]

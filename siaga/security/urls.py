from django.urls import path

from siaga.security import views

app_name = "security"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("rencana/<int:pk>/", views.plan_detail, name="plan"),
    path("rencana/<int:pk>/xlsx/", views.export_xlsx, name="export-xlsx"),
    path("rencana/<int:pk>/pdf/", views.export_pdf, name="export-pdf"),
]

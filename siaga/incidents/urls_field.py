"""The report forms: the public form and the field officers' installable app, at /lapor/."""

from django.urls import path

from siaga.incidents import views_field

app_name = "report"

urlpatterns = [
    path("", views_field.public, name="public"),
    path("cek/", views_field.public_check, name="public-check"),
    path("lapangan/", views_field.field, name="field"),
    path("lapangan/manifest.webmanifest", views_field.field_manifest, name="field-manifest"),
    path("lapangan/sw.js", views_field.field_service_worker, name="field-sw"),
]

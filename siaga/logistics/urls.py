from django.urls import path

from siaga.logistics import views

app_name = "logistics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("ekspor/rekap.xlsx", views.export_xlsx, name="export-xlsx"),
    path("ekspor/ringkasan.pdf", views.export_pdf, name="export-pdf"),
    path("pengiriman/", views.shipment_list, name="shipments"),
    path("pengiriman/baru/", views.shipment_create, name="shipment-create"),
    path("pengiriman/<str:code>/", views.shipment_detail, name="shipment"),
    path("pengiriman/<str:code>/ubah/", views.shipment_edit, name="shipment-edit"),
    path("pengiriman/<str:code>/status/", views.shipment_status, name="shipment-status"),
    path("serah-terima/", views.handover_page, name="handover"),
    path("serah-terima/manifest.webmanifest", views.handover_manifest, name="handover-manifest"),
    path("serah-terima/sw.js", views.handover_service_worker, name="handover-sw"),
]

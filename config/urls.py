"""Root URLs: the situation room pages, the versioned API, health and the admin."""

from django.contrib import admin
from django.urls import include, path

from siaga.api import api
from siaga.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("akun/", include("siaga.accounts.urls")),
    path("wilayah/", include("siaga.wilayah.urls")),
    path("logistik/", include("siaga.logistics.urls")),
    path("insiden/", include("siaga.incidents.urls")),
    path("lapor/", include("siaga.incidents.urls_field")),
    path("webhooks/", include("siaga.incidents.urls_webhooks")),
    path("periksa/", include("siaga.checklists.urls")),
    path("pemilih/", include("siaga.voters.urls")),
    path("medsos/", include("siaga.media.urls")),
    path("risiko/", include("siaga.risk.urls")),
    path("pengamanan/", include("siaga.security.urls")),
    path("pasca/", include("siaga.postelection.urls")),
    path("koordinasi/", include("siaga.coordination.urls")),
    path("laporan/", include("siaga.reports.urls")),
    path("notifikasi/", include("siaga.notifications.urls")),
    path("", include("siaga.dashboard.urls")),
]

"""Pages of the voter roll (/pemilih/): imports, the review queue, the voter check at the TPS."""

from siaga.voters import views_check, views_import, views_review

app_name = "voters"

urlpatterns = [*views_import.urlpatterns, *views_review.urlpatterns, *views_check.urlpatterns]

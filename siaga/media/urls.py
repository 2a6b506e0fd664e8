"""Pages of social-media monitoring, mounted at /medsos/."""

from siaga.media import views

app_name = "media"

urlpatterns = views.urlpatterns

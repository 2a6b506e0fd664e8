"""Pages of TP3D coordination, mounted at /koordinasi/."""

from django.urls import path

from siaga.coordination import views

app_name = "coordination"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("rapat/baru/", views.meeting_create, name="meeting-create"),
    path("rapat/<int:pk>/", views.meeting, name="meeting"),
    path("rapat/<int:pk>/keputusan/", views.decision_add, name="decision-add"),
    path("tindak-lanjut/", views.tasks, name="tasks"),
    path("tindak-lanjut/baru/", views.task_create, name="task-create"),
    path("tindak-lanjut/<int:pk>/", views.task, name="task"),
    path("tindak-lanjut/<int:pk>/status/", views.task_status, name="task-status"),
    path("tindak-lanjut/<int:pk>/petugas/", views.task_assign, name="task-assign"),
]

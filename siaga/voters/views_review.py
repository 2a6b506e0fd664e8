"""Placeholder: filled in by the voter-roll work."""

urlpatterns: list = []

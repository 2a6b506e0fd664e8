"""Password login for people only: machine accounts authenticate with API tokens."""

from django.contrib.auth.backends import ModelBackend

from siaga.accounts.choices import Role


class PeopleOnlyBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.role != Role.MACHINE

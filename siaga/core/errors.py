"""Errors raised by services and understood by every interface (page, API, command line)."""


class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to the user. ``field``
    names the input at fault when there is one (``due_at``, ``tasks.0.agency``...)."""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(DomainError):
    """The user may not do this, or the object lies outside the user's scope."""

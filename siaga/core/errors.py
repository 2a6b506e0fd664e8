"""Errors raised by services and understood by every interface (page, API, command line)."""


class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to the user."""


class PermissionDenied(DomainError):
    """The user may not do this, or the object lies outside the user's scope."""

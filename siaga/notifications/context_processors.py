"""The unread count of the inbox bell in the top bar (``base.html``)."""

from siaga.notifications.services import unread_count


def unread_notifications(request) -> dict:
    """``unread_notifications``: how many notifications the signed-in user has not read.

    One small query (indexed on recipient, read_at), made only when a template shows it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cache: dict = {}

    def count() -> int:
        if "n" not in cache:
            cache["n"] = unread_count(user)
        return cache["n"]

    return {"unread_notifications": count}

from siaga.core.errors import DomainError


class MediaError(DomainError):
    """A change refused by the media module; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field

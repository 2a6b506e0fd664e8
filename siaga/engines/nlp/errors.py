"""Errors of the text engine that a user can act on (a missing column, an empty file...)."""


class TextDataError(ValueError):
    """Bad input data; the message names the file, the row or the column."""

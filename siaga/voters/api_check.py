"""Placeholder: filled in by the voter-roll work."""

from ninja import Router

router = Router()

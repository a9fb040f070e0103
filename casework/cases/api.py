"""API router (to be built)."""

from ninja import Router

router = Router()

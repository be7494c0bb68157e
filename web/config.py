"""What the pages need to know of the service around them, given by the composition root (`mitmachen/app.py`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebConfig:
    # Whether `/auth/login` exists (an OpenID provider is configured): without it the pages are read-only.
    login: bool
    # The session key under which the login keeps the CSRF token that forms carry as the `csrf` field.
    session_csrf_key: str
    # Origins outside the service that a form may lead to (the provider's logout page): the pages' `form-action`.
    form_origins: tuple[str, ...] = ()

"""The request a view behind `core.access.allow(roles)` receives: its user is signed in, so it
is typed as `accounts.models.User` (not `User | AnonymousUser`)."""

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    user: User  # narrower than HttpRequest.user: allow() has checked the user is signed in

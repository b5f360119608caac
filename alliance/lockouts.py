"""Brute-force protection on the three logins (django-axes): the client's address and the lockout answer.

Axes counts wrong passwords per username and address (settings AXES_*) on every
`authenticate(request=...)`: the portal login form, the admin login and the API token
(DRF's AuthTokenSerializer passes the request).  What the locked-out user sees is decided here.
"""

import ipaddress
import math

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext


def client_ip(request):
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front the address the outermost one saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the client is the entry that many places from the right; anything further left is the
    client's own claim and is ignored.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def cool_off_minutes():
    return math.ceil(get_cool_off().total_seconds() / 60)


def lockout_message():
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed logins. Try again in %(minutes)d minute.",
        "Too many failed logins. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def api_lockout_response():
    """429 for the token endpoint, naming the wait in words and in seconds."""
    seconds = cool_off_minutes() * 60
    response = JsonResponse({"detail": lockout_message(), "retry_after_seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the wait instead of the form's error."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    message = lockout_message()
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "api-token":
        return api_lockout_response()
    username = get_client_username(request, credentials) or ""
    if match is not None and match.namespace == "admin":
        context = {
            **admin.site.each_context(request),
            "title": gettext("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "form": AdminAuthenticationForm(request, initial={"username": username}),
            "lockout_message": message,
            "next": request.POST.get("next", ""),
        }
        return render(request, "admin/login.html", context, status=status)
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=status)

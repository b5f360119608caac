"""Roles are Django groups with fixed names (API contract, "Accounts")."""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    SERVICE_CENTRE = "service_centre", _("Service centre")
    SPECIALIST = "specialist", _("Specialist")
    EXPERT = "expert", _("Reviewer / expert")
    COMMITTEE = "committee", _("Committee member")
    LEADERSHIP = "leadership", _("Leadership group")
    APPLICANT = "applicant", _("Applicant")
    LIAISON = "liaison", _("Liaison")


# Roles whose holders work in the admin site.
STAFF_ROLES = frozenset({Role.SECRETARIAT, Role.SERVICE_CENTRE})
# Apps whose models secretariat staff manage in the admin.
PROJECT_APPS = ("alliance", "specialists", "awards", "greenmine", "liaisons", "nominations", "auth", "authtoken")


def role_names(user):
    """The user's role names, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def remember_role_names(user, names):
    """Fill role_names()'s per-request cache with names a view has already read (saves its query)."""
    user._role_names = frozenset(names)


def has_role(user, *roles):
    return bool(role_names(user) & {str(r) for r in roles})


def is_secretariat(user):
    """ "(staff)" in the API contract: the secretariat role; a superuser counts too."""
    return bool(user and user.is_authenticated and (user.is_superuser or has_role(user, Role.SECRETARIAT)))


def is_service_staff(user):
    """Secretariat or the specialists' service centre (第六条)."""
    return is_secretariat(user) or has_role(user, Role.SERVICE_CENTRE)


def grant_staff_permissions(**kwargs):
    """Keep the staff groups able to work in the admin on every model of the project.

    Runs after every migrate, so permissions of models added later are granted too.
    """
    perms = Permission.objects.filter(content_type__app_label__in=PROJECT_APPS)
    for name in STAFF_ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)

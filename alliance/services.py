from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .exceptions import BusinessRuleError, NotPermitted
from .models import Organisation, Profile
from .roles import STAFF_ROLES, Role, grantable_roles
from .validation import check_username


def organisation_get_or_create(name, **defaults):
    """The registry row for a unit's full name, created if new (names are compared trimmed)."""
    name = " ".join((name or "").split())
    if not name:
        raise BusinessRuleError("An organisation needs its registered full name.", field="organisation")
    organisation, created = Organisation.objects.get_or_create(name=name, defaults=defaults)
    if created:
        audit.record("organisation.created", organisation)
    return organisation


@transaction.atomic
def user_create(*, username, password, name="", email="", roles=(), organisation=None, created_by=None):
    """Onboard a user with roles (groups) and an optional organisation.

    Side effects: the user, their profile, group memberships, an audit entry; staff roles
    get admin-site access (is_staff).  `created_by` (when given) may grant only the roles
    `grantable_roles` allows it: staff roles only a superuser grants.
    """
    User = get_user_model()
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise BusinessRuleError(f"Unknown role(s): {', '.join(unknown)}.", field="roles")
    if created_by is not None:
        refused = sorted(set(roles) - grantable_roles(created_by))
        if refused:
            raise NotPermitted(
                _("You may not grant the role(s) %(roles)s: only a superuser gives staff roles.")
                % {"roles": ", ".join(str(Role(r).label) for r in refused)},
                field="roles",
            )
    check_username(username)  # no spaces, slashes or other characters Django's validator refuses
    if User.objects.filter(username__iexact=username).exists():
        raise BusinessRuleError("A user with that username already exists.", field="username")
    user = User(username=username, email=email, is_staff=bool(set(roles) & STAFF_ROLES))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise BusinessRuleError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    org = organisation_get_or_create(organisation) if organisation else None
    Profile.objects.create(user=user, name=name, organisation=org)
    if roles:
        user.groups.add(*Group.objects.filter(name__in=roles))
    audit.record("user.created", user, actor=created_by, roles=sorted(roles), organisation=org and org.name)
    return user

"""Who may see and do what in the nominations programme; the pages and the API use the same checks.

The campaign, the experts, the shortlists and the list are the secretariat's ("(staff)" in the API
contract).  A nominating unit's accounts (the applicant role) reach their unit's nominations; an
expert the recommended nominations of their fields, never their own unit's.  Anyone else gets 404
for a nomination, never its data.
"""

from django.http import Http404
from django.utils.translation import gettext as _

from alliance.exceptions import NotPermitted
from alliance.roles import Role, has_role, is_secretariat

from . import selectors
from .services import unit_of


def require_staff(user):
    if not is_secretariat(user):
        raise NotPermitted(_("Only the secretariat may do this."))


def nomination_or_404(user, pk):
    nomination = selectors.nominations_for(user).filter(pk=pk).select_related("campaign", "unit").first()
    if nomination is None:
        raise Http404(_("No such nomination."))
    return nomination


def may_edit(user, nomination):
    """The nominating unit's accounts edit a draft (the service checks the deadline)."""
    if nomination.status != "draft":
        return False
    if is_secretariat(user):
        return True
    unit = unit_of(user)
    return unit is not None and unit.pk == nomination.unit_id and has_role(user, Role.APPLICANT)


def may_print(user, nomination):
    """The 推荐表 as a PDF: the nominating unit or staff (API contract)."""
    if is_secretariat(user):
        return True
    unit = unit_of(user)
    return unit is not None and unit.pk == nomination.unit_id

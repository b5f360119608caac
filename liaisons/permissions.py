"""Who may see and do what in the liaison programme; the pages and the API use the same checks.

The programme is the association office's (第三条: 协会办公室、学会秘书处办公室): the secretariat role.
A liaison reaches their own unit only, through their active post (selectors.current_liaison_of), so a
liaison handed over loses access at once.  Anyone else gets 404 for a unit, never its data.
"""

from django.http import Http404
from django.utils.translation import gettext as _

from alliance.exceptions import NotPermitted
from alliance.roles import is_secretariat

from . import selectors


def require_office(user):
    if not is_secretariat(user):
        raise NotPermitted(_("Only the association office may do this."))


def unit_or_404(user, pk):
    unit = selectors.units_for(user).filter(pk=pk).first()
    if unit is None:
        raise Http404(_("No such member unit."))
    return unit


def own_post(user):
    """The user's active liaison post, or NotPermitted."""
    liaison = selectors.current_liaison_of(user)
    if liaison is None:
        raise NotPermitted(_("This page is for a member unit's current liaison."))
    return liaison

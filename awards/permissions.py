"""Who may see and do what in the award programme; the pages and the API use the same checks.

The office (secretariat) runs the rounds; an applicant reaches their own applications; a reviewer or
committee member only what is assigned to them, after the round's pledge (第四十一条: 403 asking for
it), never an application they have a conflict with (第三十二条: 404).  Scores, votes and proposals
are the office's alone; the grade becomes public with the notice (第四十二条).
"""

from django.http import Http404
from django.utils.translation import gettext as _

from alliance.exceptions import NotPermitted
from alliance.roles import is_secretariat

from . import selectors
from .enums import PUBLIC_STATES


def require_staff(user):
    if not is_secretariat(user):
        raise NotPermitted(_("Only the award office may do this."))


def application_or_404(user, pk):
    application = selectors.applications_for(user).filter(pk=pk).select_related("round", "organisation").first()
    if application is None:
        raise Http404(_("No such application."))
    return application


def may_see_scores(user):
    """第四十二条: scores, votes and proposals stay with the office, even after the notice."""
    return is_secretariat(user)


def may_see_grade(user, application):
    """The grade: the office always; anyone else once the application is on public notice."""
    return is_secretariat(user) or application.status in PUBLIC_STATES


def may_download(user, attachment):
    """An attachment: whoever may open its application (downloads go through this check)."""
    return selectors.applications_for(user).filter(pk=attachment.application_id).exists()

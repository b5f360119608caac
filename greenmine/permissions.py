"""Who may see and do what with an assessment; the pages and the API use the same checks."""

from django.http import Http404
from django.utils.translation import gettext as _

from alliance.exceptions import NotPermitted
from alliance.roles import is_secretariat

from . import selectors
from .enums import SCORING_OPEN, AssessmentStatus, AssignmentStatus


def assessment_or_404(user, pk):
    """The assessment if the user may see it (staff, or an assigned expert); else 404, never its data."""
    assessment = selectors.assessments_for(user).filter(pk=pk).first()
    if assessment is None:
        raise Http404(_("No such assessment."))
    return assessment


def own_assignment(user, assessment):
    """The user's own assignment, or NotPermitted (staff who are not assigned do not score)."""
    assignment = selectors.assignment_of(assessment, user)
    if assignment is None:
        raise NotPermitted(_("Only the experts assigned to this assessment enter scores."))
    return assignment


def scores_editable(assignment, assessment):
    """Whether the expert's table is open for entry: their own draft while the assessment is being scored
    (the same conditions `services.scores_save` enforces)."""
    return bool(assignment and assignment.status == AssignmentStatus.DRAFT and assessment.status in SCORING_OPEN)


def require_staff(user):
    if not is_secretariat(user):
        raise NotPermitted(_("Only secretariat staff may do this."))


def require_result_access(user, assessment):
    """Staff always; an assigned expert once the assessment is completed, so no expert reads another
    expert's scores before every table is submitted."""
    if is_secretariat(user):
        return
    if assessment.status != AssessmentStatus.COMPLETED:
        raise NotPermitted(_("The result is available to experts once the secretariat completes the assessment."))


def require_participant(user, assessment):
    """Staff, or an expert assigned to the assessment: who may record prerequisites, evidence and site visits."""
    if is_secretariat(user):
        return
    if user is None or selectors.assignment_of(assessment, user) is None:
        raise NotPermitted(_("Only the secretariat or an expert assigned to this assessment may do this."))

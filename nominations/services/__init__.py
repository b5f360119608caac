"""Every write of the leading-technology list nominations, and the rules that guard it (seed 004).

Each service checks its input, writes in one transaction, records an audit entry and raises
BusinessRuleError (400) or NotPermitted (403) with a message in the user's language; the admin, the
pages and the API all call these.  Deadlines are the alliance's local dates (Asia/Shanghai).

One module per area, all re-exported here so callers write `from nominations import services`:

- `checks`: the form's boxes and their limits (附件 2), the industry codes, who acts for which unit.
- `campaigns`: a year's timetable and caps, from data/campaign.yaml unless the office says otherwise.
- `nominations`: drafts, submission, the per-field cap, a society's internal selection, the one
  state machine (TRANSITIONS).
- `evaluation`: the experts of each field and their scores (附件 1 二).
- `selection`: each field's shortlist (25–30) and the published list (100).
"""

from .attachments import attachment_remove, attachment_upload
from .campaigns import (
    STAGE_FIELDS,
    campaign_create,
    campaign_update,
    check_recommendation_open,
    check_timetable,
    default_deadlines,
)
from .checks import (
    FORM_FIELDS,
    TEXT_LIMITS,
    char_count,
    check_field,
    check_industries,
    check_nomination_fields,
    check_project_type,
    check_text,
    check_trl,
    normalise_text,
    unit_of,
)
from .evaluation import (
    check_assignable,
    check_scores,
    conflict_of_interest,
    evaluation_save,
    expert_assign,
    expert_unassign,
)
from .nominations import (
    TRANSITIONS,
    nomination_create,
    nomination_set_status,
    nomination_submit,
    nomination_update,
    preselection_forward,
)
from .selection import publish, shortlist_set

__all__ = [
    "attachment_remove",
    "attachment_upload",
    "check_recommendation_open",
    "FORM_FIELDS",
    "STAGE_FIELDS",
    "TEXT_LIMITS",
    "TRANSITIONS",
    "campaign_create",
    "campaign_update",
    "char_count",
    "check_assignable",
    "check_field",
    "check_industries",
    "check_nomination_fields",
    "check_project_type",
    "check_scores",
    "check_text",
    "check_timetable",
    "check_trl",
    "conflict_of_interest",
    "default_deadlines",
    "evaluation_save",
    "expert_assign",
    "expert_unassign",
    "nomination_create",
    "nomination_set_status",
    "nomination_submit",
    "nomination_update",
    "normalise_text",
    "preselection_forward",
    "publish",
    "shortlist_set",
    "unit_of",
]

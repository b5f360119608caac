"""Every write of the nonmetal-mining S&T award, and the rules that guard it (seed 001).

Each service checks its input, writes in one transaction, records an audit entry and raises
BusinessRuleError (400) or NotPermitted (403) with a message in the user's language; the admin, the
pages, the API and the tasks all call these.  Dates are the alliance's local dates (Asia/Shanghai),
given explicitly (`on`, `as_of`) or today's.

- `workflow`: the one state machine (ALLOWED, application_set_status) and shared helpers.
- `bodies`: rounds, the leadership group, the review committee and its rotation (第七条), the peer
  reviewers' pool, the confidentiality pledge (第四十一条), special-prize limits (第二十三条).
- `applications`: the form and its team, attachments, paper copies, submission (quotas, eligibility,
  bans, re-application), the formal check, withdrawal, revocation.
- `review`: peer review and its tally, conflicts, the committee's scores, proposals, reconsideration.
- `notice`: the leadership group's approval, the public notice, objections, the final approval.
"""

from .applications import (
    application_create,
    application_submit,
    application_update,
    attachment_add,
    check_eligibility,
    check_quota,
    close_overdue_corrections,
    formal_check,
    missing_attachments,
    paper_copies_receive,
    quota,
    revoke,
    withdraw,
)
from .bodies import (
    COMMITTEE_MAX,
    COMMITTEE_MIN,
    committee_add,
    committee_confirm,
    committee_problems,
    consecutive_years,
    has_pledge,
    is_leadership,
    leadership_add,
    pledge_accept,
    require_pledge,
    reviewer_add,
    round_create,
    special_limit_set,
)
from .notice import (
    NOTICE_DAYS,
    final_approve,
    leadership_approve,
    notice_close,
    notice_start,
    objection_answer,
    objection_decide,
    objection_file,
    objection_verify,
    objections_until,
)
from .review import (
    PEER_MAX,
    PEER_MIN,
    committee_conclude,
    committee_score,
    conflict_declare,
    conflict_with,
    grade_from_votes,
    peer_assign,
    peer_passes,
    peer_review_submit,
    peer_tally,
    proposed_grade,
    reconsideration_call,
    reconsideration_vote,
    round_proposals,
)
from .workflow import ALLOWED, application_set_status

__all__ = [
    "ALLOWED",
    "COMMITTEE_MAX",
    "COMMITTEE_MIN",
    "NOTICE_DAYS",
    "PEER_MAX",
    "PEER_MIN",
    "application_create",
    "application_set_status",
    "application_submit",
    "application_update",
    "attachment_add",
    "check_eligibility",
    "check_quota",
    "close_overdue_corrections",
    "committee_add",
    "committee_conclude",
    "committee_confirm",
    "committee_problems",
    "committee_score",
    "conflict_declare",
    "conflict_with",
    "consecutive_years",
    "final_approve",
    "formal_check",
    "grade_from_votes",
    "has_pledge",
    "is_leadership",
    "leadership_add",
    "leadership_approve",
    "missing_attachments",
    "notice_close",
    "notice_start",
    "objection_answer",
    "objection_decide",
    "objection_file",
    "objection_verify",
    "objections_until",
    "paper_copies_receive",
    "peer_assign",
    "peer_passes",
    "peer_review_submit",
    "peer_tally",
    "pledge_accept",
    "proposed_grade",
    "quota",
    "reconsideration_call",
    "reconsideration_vote",
    "require_pledge",
    "reviewer_add",
    "revoke",
    "round_create",
    "round_proposals",
    "special_limit_set",
    "withdraw",
]

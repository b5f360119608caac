"""Every write of the specialists programme (seed 000) and the rules that guard it.

One module per area, all re-exported here so callers keep writing
`from specialists import services; services.redemption_create(...)`:

- `status`: applications and the status transitions (the table of allowed moves).
- `ledger`: 附件一 points, reversals, event and icebreaker attendance.
- `spending`: 附件二 redemptions and transfers of points.
- `committees`: committee membership, meetings, motions and votes, excellent nominations.
- `organisation`: liaisons, contact with specialists, paper copies of documents.
- `common`: today and the specialist row lock every ledger write takes (see its docstring).
"""

from .committees import (
    excellent_check,
    excellent_nominate,
    membership_add,
    membership_check,
    motion_close,
    motion_tally,
    vote_cast,
)
from .common import today
from .ledger import (
    activity_record,
    activity_refusals,
    attendance_record,
    icebreaker_record,
    ledger_reverse,
    rule_points,
)
from .organisation import (
    contact_record,
    document_request_create,
    document_request_mark_sent,
    liaison_assign,
    liaison_change_request_create,
    liaison_change_request_decline,
    liaison_change_request_resolve,
)
from .spending import (
    redemption_cancel,
    redemption_create,
    redemption_fulfil,
    reward_cost,
    transfer_create,
    transfer_preview,
    transfer_to_account,
)
from .status import (
    ALLOWED_MOVES,
    PERSON,
    PROBATION_MONTHS,
    RULE,
    move_allowed,
    specialist_approve,
    specialist_confirm_exit,
    specialist_create,
    specialist_keep_on_roster,
    specialist_reinstate,
    specialist_reject_application,
    specialist_set_status,
    specialist_voluntary_exit,
    three_consecutive_active_months,
)

__all__ = [
    "ALLOWED_MOVES",
    "PERSON",
    "PROBATION_MONTHS",
    "RULE",
    "activity_record",
    "activity_refusals",
    "attendance_record",
    "contact_record",
    "document_request_create",
    "document_request_mark_sent",
    "excellent_check",
    "excellent_nominate",
    "icebreaker_record",
    "ledger_reverse",
    "liaison_assign",
    "liaison_change_request_create",
    "liaison_change_request_decline",
    "liaison_change_request_resolve",
    "membership_add",
    "membership_check",
    "motion_close",
    "motion_tally",
    "move_allowed",
    "redemption_cancel",
    "redemption_create",
    "redemption_fulfil",
    "reward_cost",
    "rule_points",
    "specialist_approve",
    "specialist_confirm_exit",
    "specialist_create",
    "specialist_keep_on_roster",
    "specialist_reinstate",
    "specialist_reject_application",
    "specialist_set_status",
    "specialist_voluntary_exit",
    "three_consecutive_active_months",
    "today",
    "transfer_create",
    "transfer_preview",
    "transfer_to_account",
    "vote_cast",
]

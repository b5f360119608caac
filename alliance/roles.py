"""Roles are Django groups with fixed names (API contract, "Accounts")."""

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, models
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


def role_label(name):
    """A role's name for people (秘书处, 特别专员 …) from its group name; any other group keeps its name."""
    return str(Role(name).label) if name in Role.values else name


# Roles whose holders work in the admin site.
STAFF_ROLES = frozenset({Role.SECRETARIAT, Role.SERVICE_CENTRE})
# The programmes' participants: no admin access, the pages and the API only.
PARTICIPANT_ROLES = frozenset(set(Role) - STAFF_ROLES)

# Roles a holder may give another account: the API's onboarding (POST /api/users/) and the user admin.
# Staff roles carry admin permissions, so only a superuser grants them: no one hands out more power
# than they hold.  The service centre registers specialists (第六条 1), which gives the role.
GRANTABLE_ROLES = {
    Role.SECRETARIAT: PARTICIPANT_ROLES,
    Role.SERVICE_CENTRE: frozenset({Role.SPECIALIST}),
}

# What each role may do in the admin, per model ("app_label.model"): v(iew), a(dd), c(hange), d(elete).
# The post_migrate hook below gives each role's group exactly these Django permissions, so the admin's
# has_perm checks follow this table; a ModelAdmin may refuse more for a given row (an assessment
# already scored is never deleted), never less.  It mirrors the API and the pages:
# - the specialists programme is run by the secretariat and the service centre alike (第一条, 第六条;
#   specialists.permissions.CanManageSpecialists); the rulebook's tables and the committees' make-up
#   are the alliance's decisions, which the service centre applies but does not change;
# - green mine is the secretariat's (greenmine.permissions.require_staff: "(staff)" in the API
#   contract); experts score through the pages and the API, never here;
# - accounts: the secretariat onboards users (POST /api/users/, IsSecretariat); groups (roles) and
#   permissions are a superuser's; the audit log is the secretariat's (alliance.exporters).
# Rows absent from the table, and every delete absent from it, are a superuser's alone.
_SPECIALISTS_PROGRAMME = {
    "specialists.specialist": "vac",
    "specialists.statuschange": "v",
    "specialists.lifecyclerun": "v",
    "specialists.ledgerentry": "va",  # add records an activity through the service; corrections reverse
    "specialists.redemption": "vc",
    "specialists.transfer": "v",
    "specialists.activity": "vac",
    "specialists.attendance": "v",  # recorded on the activity's page (AttendanceInline)
    "specialists.liaisonassignment": "v",
    "specialists.liaisonchangerequest": "vc",
    "specialists.contactlog": "vac",
    "specialists.committeemembership": "vac",
    "specialists.meeting": "vac",
    "specialists.motion": "vac",
    "specialists.vote": "va",  # cast on the motion's page (VoteInline)
    "specialists.excellentnomination": "vac",  # 第六条 4
    "specialists.documentrequest": "vc",
    "specialists.issueddocument": "v",
    "specialists.committee": "v",
    "specialists.programmesettings": "v",
    "specialists.pointrule": "v",
    "specialists.reward": "v",
}
_EVERY_STAFF_MEMBER = {
    "auth.user": "v",  # linking a specialist to an account (SpecialistAdmin's user field)
    "alliance.profile": "v",
    "alliance.organisation": "v",
    "alliance.exportjob": "v",  # their own (ExportJobAdmin.get_queryset)
    "alliance.importjob": "v",
    "authtoken.tokenproxy": "vad",  # their own API token only (TokenAdmin)
}
_GREEN_MINE = {
    "greenmine.catalogueversion": "v",
    "greenmine.category": "v",
    "greenmine.prerequisite": "v",
    "greenmine.indicator": "v",
    "greenmine.provincerule": "vacd",
    "greenmine.assessment": "vacd",  # delete: only one nothing was recorded against (AssessmentAdmin)
    "greenmine.expertassignment": "vac",
    "greenmine.prerequisitecheck": "v",
    "greenmine.expertscore": "v",
    "greenmine.evidence": "v",
    "greenmine.sitevisit": "v",
}
# Seed 002: the member-unit registry and its liaisons are the association office's (第三条), the
# secretariat role here; liaisons act through their own page and the API, never in the admin.
# Liaisons, handovers, articles, feedback and notice deliveries are changed through the services
# (handover, adopt, answer, send), so the admin may view them and use its actions, not edit rows.
_LIAISONS = {
    "liaisons.memberunit": "vac",
    "liaisons.membership": "vac",
    "liaisons.feepayment": "vac",
    "liaisons.liaison": "vac",
    "liaisons.resumeentry": "vac",
    "liaisons.handover": "v",
    "liaisons.unitchangerequest": "vc",
    "liaisons.article": "vc",
    "liaisons.feedback": "vc",
    "liaisons.gathering": "vac",
    "liaisons.attendance": "vacd",
    "liaisons.notice": "va",
    "liaisons.noticedelivery": "v",
    "liaisons.assessmentcriterion": "vc",
    "liaisons.stipendband": "vacd",
    "liaisons.programmesettings": "vc",
}
# Seed 004: the campaign, its experts and the list are the secretariat's ("(staff)" in the API contract).
# Units nominate and experts score through the pages and the API; in the admin nominations,
# evaluations and published lists are records to read, and experts are assigned or taken off
# through the services (nominations.admin).
_NOMINATIONS = {
    "nominations.campaign": "vac",
    "nominations.fieldconsortium": "vc",
    "nominations.industrycode": "v",
    "nominations.nomination": "v",
    "nominations.expertassignment": "vad",
    "nominations.evaluation": "v",
    "nominations.publication": "v",
}
# Seed 001: the award office (奖励办公室, the secretariat role here) runs the rounds.  Rounds, special-prize
# limits (the leadership group's decision, recorded by the office), the leadership group, the committee
# (with 第七条's rotation warning), the reviewers' pool and peer assignments are written through
# awards.services; applications and everything recorded about them are records to read.  Applicants,
# reviewers, committee members and the leadership group act through the pages and the API.
_AWARDS = {
    "awards.quotarule": "v",
    "awards.attachmentrequirement": "v",
    "awards.ineligibilityitem": "v",
    "awards.round": "vac",
    "awards.specialgradelimit": "vac",
    "awards.leadershipmember": "va",
    "awards.committeemember": "va",
    "awards.peerreviewer": "vac",
    "awards.confidentialitypledge": "v",
    "awards.application": "v",
    "awards.contributor": "v",
    "awards.completingunit": "v",
    "awards.attachment": "v",
    "awards.statuschange": "v",
    "awards.formalcheck": "v",
    "awards.peerassignment": "va",
    "awards.peerreview": "v",
    "awards.conflictdeclaration": "v",
    "awards.committeescore": "v",
    "awards.reconsideration": "v",
    "awards.reconsiderationvote": "v",
    "awards.notice": "v",
    "awards.objection": "v",
    "awards.ban": "v",
    "awards.revocation": "v",
}
ADMIN_PERMISSIONS = {
    Role.SECRETARIAT: {
        **_EVERY_STAFF_MEMBER,
        **_SPECIALISTS_PROGRAMME,
        **_GREEN_MINE,
        **_LIAISONS,
        **_NOMINATIONS,
        **_AWARDS,
        "auth.user": "vac",  # change: only accounts whose roles it may grant (UserAdmin)
        "alliance.profile": "vac",
        "alliance.organisation": "vac",
        "alliance.auditentry": "v",
        "specialists.committee": "vac",
        "specialists.programmesettings": "vc",
        "specialists.pointrule": "vc",
        "specialists.reward": "vc",
        "axes.accessattempt": "vd",  # lifting a login lockout (alliance.admin_lockouts)
        "axes.accessfailurelog": "v",
        "axes.accesslog": "v",
    },
    Role.SERVICE_CENTRE: {**_EVERY_STAFF_MEMBER, **_SPECIALISTS_PROGRAMME},
    Role.SPECIALIST: {},
    Role.EXPERT: {},
    Role.COMMITTEE: {},
    Role.LEADERSHIP: {},
    Role.APPLICANT: {},
    Role.LIAISON: {},
}
ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def role_admin_actions(role, model_label):
    """What `role` may do with `model_label` in the admin: a subset of {"view", "add", "change", "delete"}."""
    return frozenset(ACTIONS[code] for code in ADMIN_PERMISSIONS[Role(role)].get(model_label.lower(), ""))


def role_permission_keys(role):
    """The (app_label, codename) pairs of the Django permissions the role's group holds."""
    keys = set()
    for label, codes in ADMIN_PERMISSIONS[Role(role)].items():
        app_label, model = label.split(".")
        keys.update((app_label, f"{ACTIONS[code]}_{model}") for code in codes)
    return keys


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


def grantable_roles(user):
    """The roles `user` may give another account (GRANTABLE_ROLES; a superuser: any)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(Role)
    return frozenset(r for name in role_names(user) if name in Role.values for r in GRANTABLE_ROLES.get(Role(name), ()))


def may_manage_account(actor, target):
    """Whether `actor` may change (or delete) `target`'s account: a superuser any account; nobody else a
    superuser's, nor another staff member's; their own (its admin rights and roles stay as they are,
    see alliance.admin.UserAdmin); any other account whose every role they may grant."""
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    if target.pk == actor.pk:
        return True
    if target.is_staff:
        return False
    return role_names(target) <= grantable_roles(actor)


def sync_role_permissions(using=DEFAULT_DB_ALIAS, **kwargs):
    """Give each role's group exactly the permissions ADMIN_PERMISSIONS lists, removing any other.

    Runs after every migrate (alliance.apps), so a model added later gets its row's permissions, and
    a permission granted by hand to a role's group is taken back.  Idempotent.
    """
    perms = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role)
        # A model whose app is not installed (or not migrated yet) is skipped; the next migrate adds it.
        group.permissions.set([perms[key] for key in sorted(role_permission_keys(role)) if key in perms])

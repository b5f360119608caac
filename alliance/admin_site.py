"""The project's admin site: the index grouped by the office's tasks, then by programme.

Installed as the default site by `alliance.apps.AllianceAdminConfig` (in INSTALLED_APPS in place of
"django.contrib.admin"), so every `admin.register` / `admin.site` in the apps registers here.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (slug, heading, models by label_lower).  Within a heading models are ordered by programme
# (PROGRAMMES), then as listed here: most used first.
GROUPS = [
    (
        "daily",
        _("Daily work"),
        [
            "specialists.specialist",
            "specialists.redemption",
            "specialists.transfer",
            "specialists.documentrequest",
            "specialists.liaisonchangerequest",
            "specialists.meeting",
            "specialists.motion",
            "specialists.excellentnomination",
            "greenmine.assessment",
            "greenmine.expertassignment",
            "greenmine.sitevisit",
            "liaisons.memberunit",
            "liaisons.liaison",
            "liaisons.article",
            "liaisons.feedback",
            "liaisons.unitchangerequest",
            "liaisons.gathering",
            "liaisons.notice",
            "liaisons.feepayment",
            "nominations.nomination",
            "nominations.expertassignment",
            "nominations.campaign",
            "awards.application",
            "awards.objection",
            "awards.peerassignment",
            "awards.committeemember",
            "awards.round",
        ],
    ),
    (
        "ledgers",
        _("Ledgers"),
        [
            "specialists.ledgerentry",
            "specialists.activity",
            "specialists.attendance",
            "specialists.issueddocument",
            "specialists.liaisonassignment",
            "specialists.contactlog",
            "specialists.committeemembership",
            "greenmine.expertscore",
            "greenmine.evidence",
            "liaisons.membership",
            "liaisons.handover",
            "nominations.evaluation",
            "nominations.publication",
            "awards.formalcheck",
            "awards.peerreview",
            "awards.committeescore",
            "awards.reconsideration",
            "awards.reconsiderationvote",
            "awards.notice",
            "awards.ban",
            "awards.revocation",
            "awards.contributor",
            "awards.completingunit",
            "awards.attachment",
            "awards.conflictdeclaration",
            "awards.confidentialitypledge",
            "alliance.organisation",
        ],
    ),
    (
        "rules",
        _("Rules and settings"),
        [
            "specialists.programmesettings",
            "specialists.pointrule",
            "specialists.reward",
            "specialists.committee",
            "greenmine.catalogueversion",
            "greenmine.indicator",
            "greenmine.provincerule",
            "liaisons.assessmentcriterion",
            "liaisons.stipendband",
            "liaisons.programmesettings",
            "nominations.fieldconsortium",
            "nominations.industrycode",
            "awards.quotarule",
            "awards.specialgradelimit",
            "awards.attachmentrequirement",
            "awards.ineligibilityitem",
            "awards.leadershipmember",
            "awards.peerreviewer",
        ],
    ),
    (
        "access",
        _("Users and access"),
        ["auth.user", "auth.group", "authtoken.tokenproxy", "axes.accessattempt"],
    ),
    (
        "records",
        _("Records"),
        [
            "specialists.statuschange",
            "specialists.lifecyclerun",
            "awards.statuschange",
            "alliance.auditentry",
            "alliance.exportjob",
            "alliance.importjob",
            "axes.accessfailurelog",
            "axes.accesslog",
        ],
    ),
]
OTHER = ("other", _("Other"))
PROGRAMMES = ["specialists", "awards", "greenmine", "liaisons", "nominations", "alliance", "auth", "authtoken", "axes"]
GROUP_OF = {label: (slug, position) for slug, _heading, labels in GROUPS for position, label in enumerate(labels)}


class AllianceAdminSite(admin.AdminSite):
    site_header = "联盟业务管理平台"
    site_title = "联盟业务管理平台"
    index_title = "秘书处工作台"
    index_template = "admin/index.html"

    def get_app_list(self, request, app_label=None):
        """The index and the side bar: one block per task (GROUPS), each model under its programme.

        An app's own index page (app_label given) stays Django's.  Only what the user may see is
        listed: the per-model filtering is Django's own (_build_app_dict).
        """
        if app_label:
            return super().get_app_list(request, app_label)
        index = reverse("admin:index", current_app=self.name)
        groups = {slug: {"slug": slug, "name": heading, "models": []} for slug, heading, _labels in GROUPS}
        groups[OTHER[0]] = {"slug": OTHER[0], "name": OTHER[1], "models": []}
        for app in self._build_app_dict(request).values():
            for model in app["models"]:
                label = model["model"]._meta.label_lower
                slug, position = GROUP_OF.get(label, (OTHER[0], 0))
                programme = app["app_label"]
                order = PROGRAMMES.index(programme) if programme in PROGRAMMES else len(PROGRAMMES)
                groups[slug]["models"].append(
                    {**model, "programme": app["name"], "_order": (order, programme, position)}
                )
        app_list = []
        for group in groups.values():
            if not group["models"]:
                continue
            group["models"].sort(key=lambda m: m["_order"])
            app_list.append(
                {
                    "name": group["name"],
                    "app_label": group["slug"],
                    # The heading links to its block on the index (there is no page per group).
                    "app_url": f"{index}#group-{group['slug']}",
                    "has_module_perms": True,
                    "models": group["models"],
                }
            )
        return app_list

    def quick_links(self, request):
        """Pages outside the admin the office uses every day, each only for those who may open it."""
        from . import exports, imports
        from .roles import is_secretariat

        user = request.user
        links = []
        if exports.exporters_for(user):
            links.append((_("Exports"), reverse("exports")))
        if imports.importers_for(user):
            links.append((_("Imports"), reverse("imports")))
        if is_secretariat(user):
            links.append((_("Green-mine evaluation results"), reverse("greenmine:list")))
        # Public pages: anyone may open them.
        links.append((_("Specialists who have left the programme"), reverse("specialists_staff:exit-list")))
        return links

    def index(self, request, extra_context=None):
        extra_context = {"quick_links": self.quick_links(request), **(extra_context or {})}
        return super().index(request, extra_context)

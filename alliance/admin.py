from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .admin_base import LargeTableMixin, ReadOnlyAdmin, YearListFilter
from .audit import action_label, describe, field_label
from .models import AuditEntry, ExportJob, ImportJob, Organisation, Profile
from .roles import grantable_roles, is_secretariat, may_manage_account, role_label

User = get_user_model()


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "nature", "address", "postcode", "created_at"]
    list_filter = ["nature"]
    search_fields = ["name", "address"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["organisation"]


admin.site.unregister(User)

# What only a superuser changes on an account: these would hand out the whole admin.
SUPERUSER_FIELDS = ["is_staff", "is_superuser", "user_permissions"]


@admin.register(User)
class UserAdmin(LargeTableMixin, DjangoUserAdmin):
    """Accounts.  Staff see every account; a non-superuser changes only their own (never its admin
    rights or roles) and accounts whose every role they may grant (alliance.roles.may_manage_account),
    and gives only the roles they may grant.  The form hides the rest and save_model/save_related refuse
    a crafted request."""

    inlines = [ProfileInline]
    list_display = ["username", "profile_name", "organisation", "email", "roles", "is_active", "is_staff"]
    list_select_related = ["profile__organisation"]
    list_filter = ["groups", "is_staff", "is_active"]
    search_fields = ["username", "email", "profile__name", "profile__organisation__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or may_manage_account(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or may_manage_account(request.user, obj))

    def _may_set_groups(self, request, obj):
        return obj is not None and obj.pk != request.user.pk and bool(grantable_roles(request.user))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        readonly += SUPERUSER_FIELDS
        if not self._may_set_groups(request, obj):
            readonly.append("groups")
        return readonly

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=grantable_roles(request.user))
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _name_permissions(formfield) if db_field.name == "user_permissions" else formfield

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            before = User.objects.filter(pk=obj.pk).values("is_staff", "is_superuser").first() if change else None
            before = before or {"is_staff": False, "is_superuser": False}
            if obj.is_staff != before["is_staff"] or obj.is_superuser != before["is_superuser"]:
                raise PermissionDenied(gettext("Only a superuser gives or takes away admin rights."))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        if request.user.is_superuser:
            return
        changed = before ^ set(user.groups.values_list("name", flat=True))
        # In the admin's transaction: refusing here leaves the account as it was.
        if changed and (user.pk == request.user.pk or changed - grantable_roles(request.user)):
            raise PermissionDenied(gettext("You may not give or take away this role."))

    @admin.display(description="姓名")
    def profile_name(self, user):
        return getattr(getattr(user, "profile", None), "name", "")

    @admin.display(description="单位")
    def organisation(self, user):
        profile = getattr(user, "profile", None)
        return profile.organisation if profile else None

    @admin.display(description="角色")
    def roles(self, user):
        return "、".join(role_label(g.name) for g in user.groups.all())


def _permission_label(permission):
    """A permission as 特别专员 | 积分台账 | 查看: Django stores its name in English ("Can view ledger entry")."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    verbs = {"add": _("add"), "change": _("change"), "delete": _("delete"), "view": _("view")}
    if model is None or action not in verbs or permission.codename != f"{action}_{model._meta.model_name}":
        return f"{permission.content_type} | {gettext(permission.name)}"
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {verbs[action]}"


def _name_permissions(formfield):
    if formfield is not None and getattr(formfield, "queryset", None) is not None:
        formfield.queryset = formfield.queryset.select_related("content_type")
        formfield.label_from_instance = _permission_label
    return formfield


# A role is a group named by its code (API contract): people read its name (秘书处, 特别专员 …) wherever
# the admin shows a group (lists, filters, forms, breadcrumbs).  The name stored and sent by the API is
# unchanged.
Group.__str__ = lambda group: str(role_label(group.name))

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Roles are groups whose permissions alliance.roles sets on every migrate: a superuser's alone
    (a change made here is undone by the next migrate)."""

    list_display = ["role_name", "code"]

    @admin.display(description=pgettext_lazy("account", "role"), ordering="name")
    def role_name(self, group):
        return role_label(group.name)

    @admin.display(description=_("code"), ordering="name")
    def code(self, group):
        return group.name

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _name_permissions(formfield) if db_field.name == "permissions" else formfield

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# Django's admin names an object by str(), and a token's str() is its key: it would land in messages,
# on the delete page and in the admin log.  The proxy model is the admin's alone (the API uses Token),
# so naming it by its user here changes nothing the API sees.
TokenProxy.__str__ = lambda token: gettext("API token of %(user)s") % {"user": token.user}

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    """API tokens: who has one and since when, never the key.  A staff member sees and revokes only
    their own and creates only their own, whose key is shown once, to them; a superuser manages all."""

    list_display = ["user", "created"]
    list_filter = []
    fields = ["user"]
    readonly_fields = []

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def get_autocomplete_fields(self, request):
        return ["user"] if request.user.is_superuser else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(pk=request.user.pk)
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _own_or_superuser(self, request, obj):
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def has_change_permission(self, request, obj=None):
        return False  # a token has nothing to edit: revoke it and create another

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._own_or_superuser(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._own_or_superuser(request, obj)

    def save_model(self, request, obj, form, change):
        if not self._own_or_superuser(request, obj):
            raise PermissionDenied(gettext("Only a superuser creates another user's API token."))
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if self._own_or_superuser(request, obj):
            self.message_user(
                request,
                gettext("The key of this API token is %(key)s. Copy it now: it is not shown again.") % {"key": obj.key},
                messages.WARNING,
            )
        return response


@admin.register(AuditEntry)
class AuditEntryAdmin(LargeTableMixin, ReadOnlyAdmin):
    """Read-only: the audit log is append-only, and grows without bound (LargeTableMixin).

    Search is on the action's beginning (e.g. "specialist.points"), which its index serves; the
    action is not a filter, whose choices would be a scan of the log for its distinct values."""

    list_display = ["created_at", "action_name", "object_repr", "actor"]
    list_filter = ["content_type", ("created_at", YearListFilter)]
    fields = ["created_at", "actor", "action_name", "content_type", "object_id", "object_repr", "details"]
    readonly_fields = fields

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, entry):
        return action_label(entry.action)

    @admin.display(description=_("details"))
    def details(self, entry):
        facts = describe(entry)
        if not facts:
            return "—"
        return format_html('<dl class="audit-details">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", facts))

    search_fields = ["action__startswith"]
    list_select_related = ["actor", "content_type"]
    sortable_by = ["created_at"]


class JobKindFilter(admin.SimpleListFilter):
    """The kind of export or import by its title (the registry's list, not the column's codes)."""

    def lookups(self, request, model_admin):
        return sorted(self.titles().items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset


class ExporterFilter(JobKindFilter):
    title = _("export")
    parameter_name = "exporter"

    def titles(self):
        from .exports import _registry, autodiscover

        autodiscover()
        return {key: exporter.title for key, exporter in _registry.items()}


class ImporterFilter(JobKindFilter):
    title = _("import")
    parameter_name = "importer"

    def titles(self):
        from .imports import _autodiscover, _registry

        _autodiscover()
        return {key: importer.title for key, importer in _registry.items()}


@admin.register(ExportJob)
class ExportJobAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["created_at", "title", "requested_by", "status", "rows_done", "rows_total", "finished_at"]
    list_filter = ["status", ExporterFilter]
    list_select_related = ["requested_by"]
    fields = [
        "title",
        "parameters",
        "requested_by",
        "status",
        "attempts",
        "queued_at",
        "rows_total",
        "rows_done",
        "file",
        "error",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("export"), ordering="exporter")
    def title(self, job):
        return job.title

    @admin.display(description=_("parameters"))
    def parameters(self, job):
        return _facts(job.params)

    def get_queryset(self, request):
        # Like the exports page: the secretariat sees every export, other staff their own.
        queryset = super().get_queryset(request)
        return queryset if is_secretariat(request.user) else queryset.filter(requested_by=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(LargeTableMixin, ReadOnlyAdmin):
    """Read-only: imports are started from their pages and run by the worker."""

    list_display = [
        "created_at",
        "title",
        "filename",
        "requested_by",
        "status",
        "rows_done",
        "rows_total",
        "finished_at",
    ]
    list_filter = ["status", ImporterFilter]
    search_fields = ["filename", "fingerprint"]
    list_select_related = ["requested_by"]
    fields = [
        "title",
        "filename",
        "fingerprint",
        "parameters",
        "requested_by",
        "status",
        "attempts",
        "queued_at",
        "rows_total",
        "rows_done",
        "problems",
        "outcome",
        "error",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("import"), ordering="importer")
    def title(self, job):
        return job.title

    @admin.display(description=_("parameters"))
    def parameters(self, job):
        return _facts(job.params)

    @admin.display(description=_("errors"))
    def problems(self, job):
        rows = [
            (error.get("row", "—"), error.get("column") or "—", error.get("message", ""))
            for error in job.errors or []
            if isinstance(error, dict)
        ]
        if not rows:
            return "—"
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("row"), _("column"), _("problem"))
        return format_html(
            "<table>{}{}</table>", head, format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        )

    @admin.display(description=_("result"))
    def outcome(self, job):
        counts = {k: v for k, v in (job.result or {}).items() if isinstance(v, int)}
        return _facts(counts)


def _facts(data):
    """A dict of a job's parameters or counts as a readable list, its keys named (alliance.audit)."""
    if not data:
        return "—"
    items = [(field_label(k), v if not isinstance(v, (list, dict)) else str(v)) for k, v in data.items()]
    return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", items))


from . import admin_lockouts  # noqa: E402, F401 - the login lockouts of django-axes

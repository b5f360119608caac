from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .admin_base import ReadOnlyAdmin
from .models import AuditEntry, ExportJob, Organisation, Profile

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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "profile_name", "organisation", "email", "roles", "is_active", "is_staff"]
    list_select_related = ["profile__organisation"]
    list_filter = ["groups", "is_staff", "is_active"]
    search_fields = ["username", "email", "profile__name", "profile__organisation__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="姓名")
    def profile_name(self, user):
        return getattr(getattr(user, "profile", None), "name", "")

    @admin.display(description="单位")
    def organisation(self, user):
        profile = getattr(user, "profile", None)
        return profile.organisation if profile else None

    @admin.display(description="角色")
    def roles(self, user):
        return ", ".join(g.name for g in user.groups.all())


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["created_at", "action", "object_repr", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "object_repr", "actor__username"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "created_at"


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "exporter", "requested_by", "status", "rows_done", "rows_total", "finished_at"]
    list_filter = ["status", "exporter"]
    list_select_related = ["requested_by"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

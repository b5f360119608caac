"""Liaisons and contact: assignment history, change requests, the contact log."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin, StaffListFilter, YearListFilter

from .. import services
from ..models import ContactLog, LiaisonAssignment, LiaisonChangeRequest
from .common import ReadOnlyAdmin, each_selected


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["specialist", "liaison", "started_on", "ended_on", "reason"]
    search_fields = ["specialist__name", "liaison__username"]
    list_select_related = ["specialist", "liaison"]


@admin.register(LiaisonChangeRequest)
class LiaisonChangeRequestAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["created_at", "specialist", "status", "reason", "resolved_by"]
    list_filter = ["status"]
    search_fields = ["specialist__name", "reason"]
    list_select_related = ["specialist", "resolved_by"]
    readonly_fields = ["specialist", "reason", "created_at", "resolved_by", "resolved_at"]
    actions = ["decline"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # 第三条: the request and its outcome are kept

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset):
        each_selected(self, request, queryset, lambda r: services.liaison_change_request_decline(r, actor=request.user))


@admin.register(ContactLog)
class ContactLogAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["contacted_on", "specialist", "staff", "channel", "notes"]
    list_filter = ["channel", ("staff", StaffListFilter), ("contacted_on", YearListFilter)]
    search_fields = ["specialist__user__username__startswith"]
    list_select_related = ["specialist", "staff"]
    sortable_by = ["contacted_on"]
    autocomplete_fields = ["specialist"]
    exclude = ["staff"]

    def has_delete_permission(self, request, obj=None):
        return False  # 第六条 5: the contact flag is computed from this log

    def save_model(self, request, obj, form, change):
        if not change:
            obj.staff = request.user
        super().save_model(request, obj, form, change)

"""Programme settings and the rule tables: 附件一 point rules and 附件二 rewards."""

from django.contrib import admin

from ..models import PointRule, ProgrammeSettings, Reward


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "probation_min_points", "contact_flag_days"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ProgrammeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "points", "per_amount", "unit", "active", "order"]
    list_editable = ["points", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    ordering = ["order"]

    def has_delete_permission(self, request, obj=None):
        # Entries name their rule; a retired rule is deactivated, not deleted.
        return False


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "cost", "floor", "rate", "active", "order"]
    list_editable = ["cost", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    ordering = ["order"]

    def has_delete_permission(self, request, obj=None):
        return False

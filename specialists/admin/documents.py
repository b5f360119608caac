"""Documents: issued certificates (PDF downloads, re-rendering) and requests for paper copies."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin, YearListFilter
from alliance.exceptions import BusinessRuleError

from .. import services
from ..documents import documents_render_again
from ..models import DocumentRequest, IssuedDocument
from .common import ReadOnlyAdmin, ReadOnlyInline, each_selected


class IssuedDocumentInline(ReadOnlyInline):
    model = IssuedDocument
    fields = ["kind", "year", "number", "issued_on", "pdf"]
    readonly_fields = fields
    show_change_link = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("PDF"))
    def pdf(self, document):
        if not document.ready:
            return _("being rendered")
        return format_html('<a href="{}">{}</a>', reverse("specialists:document", args=[document.pk]), _("Download"))


@admin.register(DocumentRequest)
class DocumentRequestAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["requested_at", "specialist", "kind", "copies", "status", "sent_on"]
    list_filter = ["status", "kind"]
    search_fields = ["specialist__name", "address"]
    list_select_related = ["specialist"]
    readonly_fields = ["specialist", "kind", "copies", "address", "requested_at", "handled_by", "sent_on", "status"]
    actions = ["mark_sent"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # 第六条 3: the request is kept with its handling

    @admin.action(description=_("Mark the paper copies as sent today"))
    def mark_sent(self, request, queryset):
        on = timezone.localdate()
        each_selected(
            self, request, queryset, lambda r: services.document_request_mark_sent(r, on=on, actor=request.user)
        )


class NotQueuedFilter(admin.SimpleListFilter):
    title = _("rendering")
    parameter_name = "rendering"

    def lookups(self, request, model_admin):
        return [("not_queued", _("could not be queued")), ("pending", _("not rendered yet"))]

    def queryset(self, request, queryset):
        if self.value() == "not_queued":
            return queryset.filter(dispatch_failed_at__isnull=False, rendered_at__isnull=True)
        if self.value() == "pending":
            return queryset.filter(rendered_at__isnull=True)
        return queryset


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["number", "specialist", "kind", "year", "issued_on", "rendered_at", "download"]
    list_filter = [NotQueuedFilter, "kind", ("year", YearListFilter)]
    # A number's prefix (e.g. "聘〔2025〕"): the unique index on the number serves it.
    search_fields = ["number__startswith", "specialist__user__username__startswith"]
    list_select_related = ["specialist"]
    ordering = ["-pk"]  # newest first, by the primary key's index
    sortable_by = []
    exclude = ["file"]
    actions = ["render_again"]
    change_form_template = "admin/specialists/issueddocument/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/render/", view(self.render_view), name="specialists_issueddocument_render"),
            *super().get_urls(),
        ]

    def _may_render(self, request):
        return self.has_view_permission(request) and request.user.has_perm("specialists.change_specialist")

    @admin.display(description=_("PDF"))
    def download(self, document):
        if not document.ready:
            if document.dispatch_failed_at:
                when = timezone.localtime(document.dispatch_failed_at).strftime("%Y-%m-%d %H:%M")
                return format_html(
                    '<span class="errornote">{}</span>', _("could not be queued (%(when)s)") % {"when": when}
                )
            return _("being rendered")
        return format_html('<a href="{}">{}</a>', reverse("specialists:document", args=[document.pk]), _("Download"))

    def _render(self, request, documents):
        try:
            n = documents_render_again(documents, actor=request.user)
        except BusinessRuleError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("Sent for rendering: %(n)s.") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Render the PDF again (after a change of name or unit)"))
    def render_again(self, request, queryset):
        if not self._may_render(request):
            raise PermissionDenied
        self._render(request, list(queryset.select_related("specialist")))

    def render_view(self, request, pk):
        """The change page's "render again" button (POST): sends the render, reports a broker outage."""
        document = get_object_or_404(IssuedDocument.objects.select_related("specialist"), pk=pk)
        if request.method != "POST" or not self._may_render(request):
            return redirect("admin:specialists_issueddocument_change", pk)
        self._render(request, [document])
        return redirect("admin:specialists_issueddocument_change", pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_render": self._may_render(request)}
        return super().change_view(request, object_id, form_url, extra_context)

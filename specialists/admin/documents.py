"""Documents: issued certificates (PDF downloads, re-rendering) and requests for paper copies."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import services
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
class DocumentRequestAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "specialist", "kind", "copies", "status", "sent_on"]
    list_filter = ["status", "kind"]
    search_fields = ["specialist__name", "address"]
    list_select_related = ["specialist"]
    readonly_fields = ["specialist", "kind", "copies", "address", "requested_at", "handled_by", "sent_on", "status"]
    actions = ["mark_sent"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark the paper copies as sent today"))
    def mark_sent(self, request, queryset):
        on = timezone.localdate()
        each_selected(
            self, request, queryset, lambda r: services.document_request_mark_sent(r, on=on, actor=request.user)
        )


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "specialist", "kind", "year", "issued_on", "rendered_at", "download"]
    list_filter = ["kind", "year"]
    search_fields = ["number", "specialist__name"]
    list_select_related = ["specialist"]
    exclude = ["file"]
    actions = ["render_again"]

    @admin.display(description=_("PDF"))
    def download(self, document):
        if not document.ready:
            return _("being rendered")
        return format_html('<a href="{}">{}</a>', reverse("specialists:document", args=[document.pk]), _("Download"))

    @admin.action(description=_("Render the PDF again (after a change of name or unit)"))
    def render_again(self, request, queryset):
        from ..tasks import render_certificate

        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            render_certificate.delay(document_id=pk, force=True)
        self.message_user(request, _("Queued: %(n)s.") % {"n": len(ids)}, messages.SUCCESS)

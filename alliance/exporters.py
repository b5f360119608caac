from django.utils.translation import gettext_lazy as _

from . import exports
from .models import AuditEntry
from .roles import is_secretariat
from .xlsx import Sheet


@exports.register(
    "alliance.audit",
    title=_("Audit log"),
    filename="audit-log.xlsx",
    count=lambda params: AuditEntry.objects.count(),
    permission=is_secretariat,
)
def audit_log(params):
    entries = AuditEntry.objects.select_related("actor", "content_type").order_by("created_at", "id")

    def rows():
        for e in entries.iterator(chunk_size=2000):
            yield [
                e.created_at.replace(tzinfo=None),
                e.action,
                e.content_type.model if e.content_type else "",
                e.object_id,
                e.object_repr,
                e.actor.username if e.actor else "",
                str(e.data),
            ]

    return [
        Sheet(
            "审计日志",
            ["时间", "动作", "对象类型", "对象ID", "对象", "操作人", "数据"],
            rows(),
            [20, 28, 16, 10, 30, 14, 60],
        )
    ]

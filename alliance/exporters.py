from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit, exports
from .models import AuditEntry
from .roles import is_secretariat
from .xlsx import Sheet


def _local(moment):
    """An aware datetime as the alliance's wall-clock time (Excel has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def audit_entries(params):
    """The entries an export asked for: optionally from/to a date (ISO, the alliance's local days)."""
    entries = AuditEntry.objects.all()
    if params.get("date_from"):
        entries = entries.filter(created_at__date__gte=params["date_from"])
    if params.get("date_to"):
        entries = entries.filter(created_at__date__lte=params["date_to"])
    return entries


def _facts(entry):
    """The entry's data as "名称：值" lines (alliance.audit.describe), not a Python dict."""
    return "\n".join(f"{name}：{value}" for name, value in audit.describe(entry))


def _actor(user):
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    name = getattr(profile, "name", "") if profile is not None else ""
    return f"{name}（{user.username}）" if name else user.username


def _object_type(content_type):
    model = content_type.model_class() if content_type else None
    return str(model._meta.verbose_name) if model else (content_type.model if content_type else "")


@exports.register(
    "alliance.audit",
    title=_("Audit log"),
    filename="审计日志.xlsx",
    count=lambda params: audit_entries(params).count(),
    permission=is_secretariat,
    params=("date_from", "date_to"),
)
def audit_log(params):
    entries = audit_entries(params).select_related("actor__profile", "content_type").order_by("created_at", "id")

    def rows():
        with audit.memoized():  # each rule, reward, committee… named once, not once per entry
            for e in entries.iterator(chunk_size=2000):
                yield [
                    _local(e.created_at),
                    str(audit.action_label(e.action)),
                    _object_type(e.content_type),
                    e.object_id,
                    e.object_repr,
                    _actor(e.actor),
                    _facts(e),
                ]

    return [
        Sheet(
            "审计日志",
            ["时间（北京时间）", "动作", "对象类型", "对象ID", "对象", "操作人", "数据"],
            rows(),
            [20, 28, 16, 10, 30, 20, 60],
        )
    ]

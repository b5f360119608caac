"""The audit log every state change, score and vote writes to (SPEC, Cross-cutting: Audit)."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry


def _jsonable(data):
    # Dates, decimals and lazy strings become JSON-safe values once, here.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record(action, obj=None, *, actor=None, **data):
    """Append one audit entry and return it.

    `actor` is the user who caused the change (None for rules run by the system);
    `data` holds the facts worth keeping (old and new values, the rule applied, ...).
    """
    entry = AuditEntry(action=action, actor=actor if getattr(actor, "pk", None) else None, data=_jsonable(data))
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry

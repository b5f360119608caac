"""Reachability of the services the portal depends on, for /healthz and the compose probes."""

from django.conf import settings
from django.db import connection


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"error: {exc.__class__.__name__}"


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def status():
    result = {"database": check_database(), "broker": check_broker()}
    result["ok"] = all(v in ("ok", "in-process") for v in result.values())
    return result

from tests.alliance.test_site import PRODUCTION_ENV, _manage


def _setting(expression, env):
    result = _manage("shell", "-c", f"from django.conf import settings; print({expression})", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_keeps_database_connections_with_health_checks():
    """A new PostgreSQL connection per request cost ~6 ms; a kept one is checked before reuse."""
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://alliance@db:5432/alliance"}

    assert _setting("settings.DATABASES['default']['CONN_MAX_AGE']", env) == "60"
    assert _setting("settings.DATABASES['default']['CONN_HEALTH_CHECKS']", env) == "True"
    assert _setting("settings.DATABASES['default']['CONN_MAX_AGE']", {**env, "CONN_MAX_AGE": "0"}) == "0"

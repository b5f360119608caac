import pytest


@pytest.fixture(autouse=True)
def _award_reference_data(request):
    """The data migration's rows (quotas, attachments, checklist): a transactional test elsewhere in the
    session flushes them; load them again (idempotent) for the tests that use the database."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from awards import reference
    from awards.models import QuotaRule

    if not QuotaRule.objects.exists():
        reference.load()

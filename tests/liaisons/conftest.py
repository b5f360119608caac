import pytest


@pytest.fixture(autouse=True)
def _liaison_reference_data(request):
    """The data migration's rows (assessment criteria, stipend bands): a transactional test elsewhere in
    the session (a live server's) flushes them; load them again (idempotent) for the tests that use the
    database."""
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db", "live_server"} & names:
        return
    request.getfixturevalue("transactional_db" if {"transactional_db", "live_server"} & names else "db")
    from liaisons import reference
    from liaisons.models import AssessmentCriterion

    if not AssessmentCriterion.objects.exists():
        reference.load()

"""二（二）: 每个技术领域报送 25-30 项; a field with fewer sends them all.  一: the list, 100 in all."""

import pytest

from alliance.exceptions import BusinessRuleError
from nominations import selectors, services
from nominations.enums import Field, NominationStatus
from nominations.models import Nomination, Publication
from tests.nominations.factories import NominationFactory, closed_recommendation, open_campaign

pytestmark = pytest.mark.django_db

FIELD = Field.EQUIPMENT


def _field_of(campaign, count, field=FIELD):
    return [NominationFactory(campaign=campaign, field=field).pk for _ in range(count)]


def _shortlisted(campaign, field=FIELD):
    return list(
        Nomination.objects.filter(campaign=campaign, field=field, status=NominationStatus.SHORTLISTED)
        .order_by("shortlist_rank")
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize(("size", "accepted"), [(24, False), (25, True), (30, True), (31, False)])
def test_a_field_of_40_sends_25_to_30(staff_user, size, accepted):
    campaign = closed_recommendation()
    ids = _field_of(campaign, 40)

    if accepted:
        services.shortlist_set(campaign, field=FIELD, ids=ids[:size], actor=staff_user)
        assert _shortlisted(campaign) == ids[:size]
    else:
        with pytest.raises(BusinessRuleError) as refused:
            services.shortlist_set(campaign, field=FIELD, ids=ids[:size], actor=staff_user)
        assert str(size) in refused.value.message
        assert _shortlisted(campaign) == []


def test_a_field_of_12_sends_all_12_and_no_fewer(staff_user):
    campaign = closed_recommendation()
    ids = _field_of(campaign, 12)

    with pytest.raises(BusinessRuleError) as refused:
        services.shortlist_set(campaign, field=FIELD, ids=ids[:11], actor=staff_user)
    assert "12" in refused.value.message and "11" in refused.value.message
    assert _shortlisted(campaign) == []

    services.shortlist_set(campaign, field=FIELD, ids=ids, actor=staff_user)
    assert _shortlisted(campaign) == ids


def test_the_shortlist_counts_only_the_fields_recommended_nominations(staff_user):
    campaign = closed_recommendation()
    ids = _field_of(campaign, 3)
    _field_of(campaign, 30, field=Field.MATERIALS)
    NominationFactory(campaign=campaign, field=FIELD, status=NominationStatus.DRAFT)

    services.shortlist_set(campaign, field=FIELD, ids=ids, actor=staff_user)

    assert _shortlisted(campaign) == ids


def test_a_nomination_of_another_field_is_refused(staff_user):
    campaign = closed_recommendation()
    ids = _field_of(campaign, 3)
    other = NominationFactory(campaign=campaign, field=Field.MATERIALS)

    with pytest.raises(BusinessRuleError) as refused:
        services.shortlist_set(campaign, field=FIELD, ids=[*ids[:2], other.pk], actor=staff_user)

    assert str(other.pk) in refused.value.message


def test_setting_the_shortlist_again_replaces_it(staff_user):
    campaign = closed_recommendation()
    ids = _field_of(campaign, 40)
    services.shortlist_set(campaign, field=FIELD, ids=ids[:25], actor=staff_user)

    services.shortlist_set(campaign, field=FIELD, ids=list(reversed(ids[10:36])), actor=staff_user)

    assert _shortlisted(campaign) == list(reversed(ids[10:36]))
    dropped = Nomination.objects.get(pk=ids[0])
    assert (dropped.status, dropped.shortlist_rank) == (NominationStatus.SUBMITTED, None)


def test_no_shortlist_while_recommendations_are_open(staff_user):
    campaign = open_campaign()
    ids = _field_of(campaign, 3)

    with pytest.raises(BusinessRuleError):
        services.shortlist_set(campaign, field=FIELD, ids=ids, actor=staff_user)


def test_the_list_takes_at_most_its_size_from_the_shortlists(staff_user):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    campaign = closed_recommendation(list_size=3, preliminary_deadline=today - dt.timedelta(days=1))
    ids = _field_of(campaign, 5)
    Nomination.objects.filter(pk__in=ids[:4]).update(status=NominationStatus.SHORTLISTED)
    for rank, pk in enumerate(ids[:4], start=1):
        Nomination.objects.filter(pk=pk).update(shortlist_rank=rank)

    with pytest.raises(BusinessRuleError):
        services.publish(campaign, ids=ids[:4], actor=staff_user)
    with pytest.raises(BusinessRuleError):  # not shortlisted
        services.publish(campaign, ids=[ids[4]], actor=staff_user)
    publication = services.publish(campaign, ids=[ids[2], ids[0], ids[1]], actor=staff_user)

    assert publication.size == 3
    assert [n.pk for n in selectors.published_list(campaign)] == [ids[2], ids[0], ids[1]]
    assert dict(Nomination.objects.filter(pk__in=ids[3:]).values_list("pk", "status")) == {
        ids[3]: NominationStatus.NOT_SELECTED,
        ids[4]: NominationStatus.NOT_SELECTED,
    }
    with pytest.raises(BusinessRuleError):
        services.publish(campaign, ids=ids[:1], actor=staff_user)
    assert Publication.objects.count() == 1


def test_the_list_waits_for_the_preliminary_evaluation_to_close(staff_user):
    campaign = closed_recommendation()
    ids = _field_of(campaign, 1)
    Nomination.objects.filter(pk__in=ids).update(status=NominationStatus.SHORTLISTED, shortlist_rank=1)

    with pytest.raises(BusinessRuleError):
        services.publish(campaign, ids=ids, actor=staff_user)

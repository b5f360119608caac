"""Factories of the liaison programme: member units, liaisons with accounts, duties."""

import datetime as dt

import factory

from liaisons.enums import Association
from liaisons.models import Liaison, Membership
from tests.factories import OrganisationFactory, UserFactory


class MemberUnitFactory(OrganisationFactory):
    class Meta:
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"会员煤业{n:03d}有限责任公司")
    nature = "soe_provincial"
    address = "西安市和平路1号"
    postcode = "710001"

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Membership.objects.get_or_create(organisation=self, association=extracted or Association.ASSOCIATION)


class LiaisonFactory(factory.django.DjangoModelFactory):
    """An active liaison with a login account holding the `liaison` role (pass user=None for none)."""

    class Meta:
        model = Liaison

    organisation = factory.SubFactory(MemberUnitFactory)
    user = factory.SubFactory(UserFactory, roles=["liaison"])
    name = factory.Sequence(lambda n: f"联络员{n:03d}")
    gender = "male"
    email = factory.Sequence(lambda n: f"liaison{n:03d}@example.com")
    mobile = factory.Sequence(lambda n: f"186{n:08d}")
    started_on = dt.date(2024, 1, 1)

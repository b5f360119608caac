"""Shared factories. Each app's factories go in tests/<app>/factories.py and may build on these."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from alliance.models import Organisation, Profile

DEFAULT_PASSWORD = "pw-Secret-123"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试单位{n:03d}有限公司")


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a profile; `roles=[...]` adds group memberships, `organisation=` an employer."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = DEFAULT_PASSWORD

    # Profile fields, popped in _create.
    name = factory.LazyAttribute(lambda u: f"用户{u.username}")
    organisation = None

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(Group.objects.get_or_create(name=r)[0] for r in extracted))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        name = kwargs.pop("name", None)
        organisation = kwargs.pop("organisation", None)
        password = kwargs.pop("password")
        user = super()._create(model_class, *args, **kwargs)
        user.set_password(password)
        user.save(update_fields=["password"])
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.name = name or profile.name
        if organisation is not None:
            profile.organisation = (
                organisation if isinstance(organisation, Organisation) else OrganisationFactory(name=organisation)
            )
        profile.save()
        return user

"""Factories of the nominations programme: campaigns, nominating units with applicant accounts,
nominations, experts."""

import datetime as dt

import factory
from django.utils import timezone

from nominations.enums import Field, NominationStatus, ProjectType
from nominations.models import Campaign, Nomination
from tests.factories import OrganisationFactory, UserFactory


def open_campaign(year=None, **values):
    """A campaign whose recommendation stage is open today, each stage ten days after the one before."""
    today = timezone.localdate()
    values = {
        "recommendation_deadline": today + dt.timedelta(days=10),
        "preliminary_deadline": today + dt.timedelta(days=20),
        "final_review_deadline": today + dt.timedelta(days=30),
        "publication_date": today + dt.timedelta(days=40),
        **values,
    }
    return CampaignFactory(year=year or today.year, **values)


def closed_recommendation(year=2020, **values):
    """A campaign past its recommendation deadline, in its preliminary evaluation today."""
    today = timezone.localdate()
    values = {
        "recommendation_deadline": today - dt.timedelta(days=1),
        "preliminary_deadline": today + dt.timedelta(days=10),
        "final_review_deadline": today + dt.timedelta(days=20),
        "publication_date": today + dt.timedelta(days=30),
        **values,
    }
    return CampaignFactory(year=year, **values)


class CampaignFactory(factory.django.DjangoModelFactory):
    """The seed's 2020 campaign (二、工作安排) unless told otherwise."""

    class Meta:
        model = Campaign
        django_get_or_create = ("year",)

    year = 2020
    recommendation_deadline = dt.date(2020, 11, 20)
    preliminary_deadline = dt.date(2020, 11, 30)
    final_review_deadline = dt.date(2020, 12, 20)
    publication_date = dt.date(2020, 12, 31)


class UnitFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"推荐单位{n:03d}研究院")


def applicant(unit=None, **kwargs):
    """An account with the applicant role acting for `unit`."""
    return UserFactory(roles=["applicant"], organisation=unit or UnitFactory(), **kwargs)


def expert(unit=None, **kwargs):
    return UserFactory(roles=["expert"], organisation=unit, **kwargs)


class NominationFactory(factory.django.DjangoModelFactory):
    """A complete nomination recommended to its field's consortium (status submitted)."""

    class Meta:
        model = Nomination
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    recommender = factory.SelfAttribute("unit")
    created_by = factory.SubFactory(UserFactory, roles=["applicant"])
    name = factory.Sequence(lambda n: f"先导技术{n:03d}")
    field = Field.RESOURCES_ENVIRONMENT
    project_type = ProjectType.APPLIED
    trl = 6
    contact = "张伟"
    phone = "010-68999603"
    address = "北京市西城区百万庄大街26号"
    email = "zhangwei@example.com"
    team_intro = "团队由地质、采矿与环境工程专业人员组成。"
    tech_level = "技术达到国际先进水平。"
    benefits = "年新增产值约一亿元。"
    recommender_opinion = "同意推荐。"
    pledge_accepted = True
    pledge_accepted_at = factory.LazyFunction(timezone.now)
    status = NominationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def industries(self, create, extracted, **kwargs):
        if create:
            from nominations.models import IndustryCode

            self.industries.set(IndustryCode.objects.filter(code__in=extracted or ["0810"]))


# The form as a unit fills it in (附件 2), for nomination_create.
FORM = {
    "name": "矿山固废协同处置与生态修复技术",
    "field": Field.RESOURCES_ENVIRONMENT,
    "project_type": ProjectType.DEVELOPMENT,
    "trl": 7,
    "contact": "王芳",
    "phone": "010-68999129",
    "address": "北京市西城区百万庄大街26号",
    "email": "wangfang@example.com",
    "team_intro": "团队由二十名地质与环境工程专业人员组成。",
    "ip": "发明专利5项",
    "awards": "省部级科技进步一等奖1项",
    "tech_level": "国内领先。",
    "benefits": "已在三座矿山应用。",
    "recommender_opinion": "同意推荐。",
}


def programme_rows(staff):
    """One row of every nominations model, built through the services, by admin label."""
    from nominations import services
    from nominations.models import FieldConsortium, IndustryCode

    today = timezone.localdate()
    campaign = services.campaign_create(
        year=today.year,
        recommendation_deadline=today + dt.timedelta(days=10),
        preliminary_deadline=today + dt.timedelta(days=20),
        final_review_deadline=today + dt.timedelta(days=30),
        publication_date=today + dt.timedelta(days=40),
        actor=staff,
    )
    user = applicant(username="tuijian")  # account names show in the admin: a name, not "user0012"
    nomination = services.nomination_create(
        campaign, user=user, industries=["0810", "101"], pledge_accepted=True, **FORM
    )
    services.nomination_submit(nomination, user=user)
    reviewer = expert(username="chuping")
    assignment = services.expert_assign(campaign, field=nomination.field, username=reviewer.username, actor=staff)
    evaluation = services.evaluation_save(
        nomination,
        expert=reviewer,
        scores={
            "feasibility": 8,
            "advancement": 7,
            "originality": 9,
            "irreplaceability": 6,
            "maturity": 7,
            "market": 8,
        },
    )
    # A published list needs a campaign past its preliminary evaluation: the seed's own, 2020.
    past = CampaignFactory(year=2020)
    shortlisted = NominationFactory(
        campaign=past, status=NominationStatus.SHORTLISTED, shortlist_rank=1, created_by=user
    )
    publication = services.publish(past, ids=[shortlisted.pk], actor=staff)
    return {
        "nominations.campaign": campaign,
        "nominations.fieldconsortium": FieldConsortium.objects.get(field=nomination.field),
        "nominations.industrycode": IndustryCode.objects.get(code="0810"),
        "nominations.nomination": nomination,
        "nominations.expertassignment": assignment,
        "nominations.evaluation": evaluation,
        "nominations.publication": publication,
    }

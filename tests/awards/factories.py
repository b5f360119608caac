"""Factories of the award programme (seed 001): rounds, applicants and their units, applications at
any stage, committees, reviewers."""

import datetime as dt
import io

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from awards.enums import ApplicationStatus, Category, CommitteeRole, Grade
from awards.models import (
    Application,
    Attachment,
    AttachmentRequirement,
    CommitteeMember,
    CompletingUnit,
    ConfidentialityPledge,
    Contributor,
    Round,
)
from tests.factories import OrganisationFactory, UserFactory

YEAR = 2024


def png_upload(name="证明材料.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round
        django_get_or_create = ("year",)

    year = YEAR
    application_deadline = factory.LazyAttribute(lambda r: dt.date(r.year, 6, 30))


class UnitFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"申报单位{n:03d}矿业有限公司")


def applicant(unit=None, **kwargs):
    return UserFactory(roles=["applicant"], organisation=unit or UnitFactory(), **kwargs)


_units = iter(range(1, 10**6))


def expert(unit=None, **kwargs):
    return UserFactory(roles=["expert"], organisation=unit or UnitFactory(name=f"评审单位{next(_units)}大学"), **kwargs)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft by a unit's applicant account, the unit first among its completing units."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    round = factory.SubFactory(RoundFactory)
    applicant = factory.LazyFunction(applicant)
    organisation = factory.LazyAttribute(lambda a: a.applicant.profile.organisation)
    title = factory.Sequence(lambda n: f"非金属矿深加工技术{n:03d}")
    category = Category.PROGRESS
    requested_grade = Grade.SECOND
    status = ApplicationStatus.DRAFT
    appraisal_certificate_no = "中非矿鉴字〔2023〕第012号"
    appraisal_date = dt.date(2023, 5, 10)

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        """team=(contributors, extra units): by default one contributor and the applying unit."""
        if not create:
            return
        contributors, units = extracted or (1, 0)
        set_team(self, contributors, units)


def set_team(application, contributors, units):
    """`contributors` main contributors; the applying unit plus `units` - 1 more completing units
    (or `units` units for a citizen)."""
    application.contributors.all().delete()
    application.units.all().delete()
    Contributor.objects.bulk_create(
        Contributor(application=application, order=i, name=f"完成人{i}") for i in range(1, contributors + 1)
    )
    organisations = [application.organisation] if application.organisation_id else []
    while len(organisations) < units:
        organisations.append(UnitFactory())
    CompletingUnit.objects.bulk_create(
        CompletingUnit(application=application, organisation=o, order=i) for i, o in enumerate(organisations, 1)
    )


def attach_required(application):
    """One file for every attachment the category requires (第二十六条)."""
    for req in AttachmentRequirement.objects.filter(category=application.category, required=True):
        Attachment.objects.create(
            application=application,
            kind=req.code,
            file=ContentFile(b"%PDF-1.4", name=f"{req.code}.pdf"),
            uploaded_by=application.applicant,
        )


def ready_draft(**kwargs):
    """A draft that may be submitted: team within its quota, the required attachments."""
    application = ApplicationFactory(**kwargs)
    attach_required(application)
    return application


def pledged(user, round_):
    ConfidentialityPledge.objects.get_or_create(round=round_, user=user)
    return user


def committee(round_, size=9, *, users=None, confirm=True, pledge=True):
    """A committee of `size`: the first the chair, the second the vice-chair."""
    users = list(users or [])
    while len(users) < size:
        users.append(
            UserFactory(
                username=f"pingwei{round_.year}x{len(users)}",  # shown in the admin: not "user0042"
                roles=["committee"],
                organisation=UnitFactory(
                    name=f"评委单位{len(users)}-{round_.year}-{UserFactory._meta.model.objects.count()}"
                ),
            )
        )
    members = []
    for index, user in enumerate(users):
        role = CommitteeRole.CHAIR if index == 0 else CommitteeRole.VICE_CHAIR if index == 1 else CommitteeRole.MEMBER
        members.append(CommitteeMember.objects.create(round=round_, user=user, role=role))
        if pledge:
            pledged(user, round_)
    if confirm:
        from django.utils import timezone

        round_.committee_confirmed_at = timezone.now()
        round_.save(update_fields=["committee_confirmed_at"])
    return members


def programme_rows(staff):
    """One row of every awards model, built through the services where a service writes it, by admin label."""
    from django.utils import timezone

    from awards import services
    from awards.enums import FormalCheckResult, ObjectionKind
    from awards.models import (
        AttachmentRequirement,
        Ban,
        IneligibilityItem,
        LeadershipMember,
        PeerReviewer,
        QuotaRule,
        SpecialGradeLimit,
    )

    today = timezone.localdate()
    round_ = services.round_create(year=today.year, application_deadline=today + dt.timedelta(days=30), by=staff)
    leader = UserFactory(username="lingdao", roles=["leadership"])
    services.leadership_add(round_, user=leader, by=staff, is_chair=True)
    members = committee(round_, 9)
    user = applicant(username="shenbao")
    application = services.application_create(
        round_,
        user=user,
        title="高纯石英砂提纯关键技术",
        category=Category.PROGRESS,
        requested_grade=Grade.FIRST,
        appraisal_certificate_no="中非矿鉴字〔2025〕第001号",
        appraisal_date=today - dt.timedelta(days=400),
        contributors=[{"name": "王强"}, {"name": "李娜"}],
    )
    attachment = services.attachment_add(application, user=user, kind="appraisal_certificate", file=png_upload())
    attach_required(application)
    services.application_submit(application, user=user)
    services.paper_copies_receive(application, by=staff, sets=3, original=True)
    answers = dict.fromkeys(IneligibilityItem.objects.values_list("code", flat=True), False)
    check = services.formal_check(application, by=staff, result=FormalCheckResult.PASS, answers=answers)
    reviewers = [pledged(UserFactory(username=f"hanshen{i}", roles=["expert"]), round_) for i in range(3)]
    pool = services.reviewer_add(user=reviewers[0], specialties="矿物材料", by=staff)
    assignments = [services.peer_assign(application, reviewer=r, by=staff) for r in reviewers]
    reviews = [services.peer_review_submit(application, reviewer=r, agree=True, comments="同意。") for r in reviewers]
    services.peer_tally(application, by=staff)
    scores = [services.committee_score(application, user=m.user, score=90, grade=Grade.FIRST) for m in members]
    other = UserFactory(username="huibi", roles=["expert"])
    conflict = services.conflict_declare(application, user=other, reason="曾参与该项目合作研究")
    reconsideration = services.reconsideration_call(application, by=members[0].user, present=[members[0]])
    services.reconsideration_vote(reconsideration, user=members[0].user, grade=Grade.FIRST)
    vote = reconsideration.votes.get()
    services.committee_conclude(round_, by=staff)
    limit = services.special_limit_set(round_, category=Category.PROGRESS, max_contributors=20, max_units=9, by=staff)
    services.leadership_approve(round_, by=leader)
    notice = services.notice_start(round_, starts_on=today, by=staff)
    objection = services.objection_file(
        application,
        kind=ObjectionKind.NON_SUBSTANTIVE,
        name="赵敏",
        phone="13800000000",
        statement="完成人排序有误。",
        evidence=png_upload(),
    )
    withdrawn = ApplicationFactory(
        round=round_, status=ApplicationStatus.PUBLIC_NOTICE, applicant=applicant(username="chehui")
    )
    services.withdraw(withdrawn, user=withdrawn.applicant, reason="项目单位决定退出。")
    return {
        "awards.quotarule": QuotaRule.objects.get(category=Category.PROGRESS, grade=Grade.FIRST),
        "awards.attachmentrequirement": AttachmentRequirement.objects.filter(category=Category.PROGRESS).first(),
        "awards.ineligibilityitem": IneligibilityItem.objects.first(),
        "awards.round": round_,
        "awards.specialgradelimit": limit if isinstance(limit, SpecialGradeLimit) else limit,
        "awards.leadershipmember": LeadershipMember.objects.get(round=round_, user=leader),
        "awards.committeemember": members[0],
        "awards.peerreviewer": pool if isinstance(pool, PeerReviewer) else pool,
        "awards.confidentialitypledge": round_.pledges.first(),
        "awards.application": application,
        "awards.contributor": application.contributors.first(),
        "awards.completingunit": application.units.first(),
        "awards.attachment": attachment,
        "awards.statuschange": application.history.first(),
        "awards.formalcheck": check,
        "awards.peerassignment": assignments[0],
        "awards.peerreview": reviews[0],
        "awards.conflictdeclaration": conflict,
        "awards.committeescore": scores[0],
        "awards.reconsideration": reconsideration,
        "awards.reconsiderationvote": vote,
        "awards.notice": notice,
        "awards.objection": objection,
        "awards.ban": Ban.objects.get(application=withdrawn),
        "awards.revocation": _revocation(staff),
    }


def _revocation(staff):
    from awards import services
    from awards.enums import RevocationReason

    awarded = ApplicationFactory(
        round=RoundFactory(year=2021),
        status=ApplicationStatus.AWARDED,
        final_grade=Grade.THIRD,
        applicant=applicant(username="chexiao"),
    )
    return services.revoke(awarded, by=staff, reason=RevocationReason.PLAGIARISM, details="经查剽窃他人成果。")

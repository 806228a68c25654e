"""Reads of `feedback`: triage lists, survey rules, public lookups by token, survey results.

Staff reads are scoped with core.scoping (another agency's feedback or answers are absent,
so their URLs answer 404). Public reads go through signed tokens only.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Team
from cases.models import Case, ServiceCategory
from cases.references import reference_normalise
from cases.selectors import categories_for_intake, categories_public
from cases.services import NO_SURVEY_RESOLUTIONS
from citizens.models import Citizen
from citizens.normalise import InvalidPhoneNumber, normalise_email, normalise_phone
from core.scoping import get_scoped_object_or_404, scope_queryset, user_agency_id
from feedback import links
from feedback.models import (
    Answer,
    FeedbackSubmission,
    Question,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)

Status = SurveyInvitation.Status


# --- public feedback form -------------------------------------------------------------------


@dataclass
class AboutGroup:
    agency: Agency
    categories: list[ServiceCategory]


def feedback_form_choices() -> list[AboutGroup]:
    """What feedback can be about: each agency (in general), then its public services."""
    groups: dict[int, AboutGroup] = {
        agency.pk: AboutGroup(agency=agency, categories=[])
        for agency in Agency.objects.order_by("name")
    }
    for category in categories_public():
        groups[category.agency_id].categories.append(category)
    return list(groups.values())


def case_by_reference(reference: str, *, agency_id: int | None = None) -> Case | None:
    """The case a typed reference names (of `agency_id`, when given), or None."""
    cases = Case.objects.filter(reference=reference_normalise(reference))
    if agency_id is not None:
        cases = cases.filter(agency_id=agency_id)
    return cases.first()


# --- staff triage ---------------------------------------------------------------------------


def feedback_visible(user: Any, *, for_write: bool = False) -> QuerySet[FeedbackSubmission]:
    return scope_queryset(FeedbackSubmission.objects.all(), user, for_write=for_write)


def feedback_triage(user: Any, *, status: str = "new", kind: str = "") -> QuerySet:
    rows = feedback_visible(user).select_related(
        "category", "case", "citizen", "suggested_citizen", "agency"
    )
    if status in FeedbackSubmission.Status.values:
        rows = rows.filter(status=status)
    if kind in FeedbackSubmission.Kind.values:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-id")


def feedback_get_for_staff(user: Any, pk: int, *, for_write: bool = False) -> FeedbackSubmission:
    queryset = FeedbackSubmission.objects.select_related(
        "agency",
        "category",
        "case",
        "follow_up_case",
        "citizen",
        "suggested_citizen",
        "handled_by",
    )
    return get_scoped_object_or_404(queryset, user, for_write=for_write, pk=pk)


def feedback_citizen_suggestions(feedback: FeedbackSubmission, limit: int = 5) -> list[Citizen]:
    """Citizen records with the email or phone the feedback gave (exact matches only)."""
    condition = Q()
    if feedback.contact_email:
        condition |= Q(email=normalise_email(feedback.contact_email))
    if feedback.contact_phone:
        try:
            phone = normalise_phone(feedback.contact_phone)
        except InvalidPhoneNumber:
            phone = ""
        if phone:
            condition |= Q(phone=phone)
    if not condition:
        return []
    citizens = Citizen.objects.filter(condition, merged_into__isnull=True)
    # The linked and the suggested record are shown on their own.
    shown = [pk for pk in (feedback.citizen_id, feedback.suggested_citizen_id) if pk]
    if shown:
        citizens = citizens.exclude(pk__in=shown)
    return list(citizens.order_by("last_name", "first_name", "id")[:limit])


def feedback_suggestion_text(feedback: FeedbackSubmission) -> str:
    """Why a record is suggested for unlinked feedback, and what staff should do about it."""
    citizen = feedback.suggested_citizen
    if citizen is None or feedback.citizen_id is not None:
        return ""
    values = {"name": citizen.full_name, "pk": citizen.pk}
    if citizen.email and citizen.email == normalise_email(feedback.contact_email):
        return (
            _(
                "Record %(pk)s, %(name)s, has the email address this feedback gave. Nobody has "
                "proved that address, so the feedback is not linked: link it only if you know it "
                "is the same person."
            )
            % values
        )
    return (
        _(
            "Record %(pk)s, %(name)s, has the phone number this feedback gave. Nobody has proved "
            "that number, so the feedback is not linked: link it only if you know it is the same "
            "person."
        )
        % values
    )


def categories_for_case_opening(user: Any, feedback: FeedbackSubmission) -> QuerySet:
    return categories_for_intake(user).filter(agency_id=feedback.agency_id)


@dataclass
class CaseFeedback:
    submissions: list[FeedbackSubmission]
    responses: list[SurveyResponse]

    def __bool__(self) -> bool:
        return bool(self.submissions or self.responses)


def feedback_for_case(case: Case, user: Any) -> CaseFeedback:
    """For the staff case page: feedback about the case or opened as it, and survey answers.

    Scoped to the user: another agency's feedback about a referred case is not shown.
    Anonymous survey answers are never linked to a case, so they never appear here.
    """
    submissions = (
        feedback_visible(user)
        .filter(Q(case=case) | Q(follow_up_case=case))
        .select_related("category")
        .order_by("-created_at")
    )
    responses = (
        scope_queryset(SurveyResponse.objects.all(), user)
        .filter(case=case)
        .select_related("survey")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("-submitted_at")
    )
    return CaseFeedback(submissions=list(submissions), responses=list(responses))


# --- survey rules ---------------------------------------------------------------------------


def survey_for_case(case: Case) -> Survey | None:
    """The survey for a case: one attached to its service, else its agency's default."""
    surveys = Survey.objects.filter(agency_id=case.agency_id, active=True)
    return (
        surveys.filter(categories=case.category_id).order_by("id").first()
        or surveys.filter(is_default=True).order_by("id").first()
    )


def invitation_refusal(case: Case, *, survey: Survey | None, now: datetime) -> str | None:
    """Why a closed case gets no survey invitation (the fatigue rules), or None if it gets one."""
    citizen = case.citizen
    if citizen is None:
        return "no citizen record"
    if not citizen.consent_surveys:
        return "no survey consent"
    if not case.contact_email:
        return "no email address"
    if case.citizen_contacted is not True:
        return "closed without contact"
    if case.resolution_code in NO_SURVEY_RESOLUTIONS:
        return f"closed as {case.resolution_code}"
    if survey is None:
        return "no survey for this service"
    invited = SurveyInvitation.objects.filter(case=case, survey=survey)
    if invited.exclude(status=Status.CANCELLED).exists():
        return "already invited for this case"
    window_start = now - timedelta(days=settings.SURVEY_RECONTACT_DAYS)
    recent = SurveyInvitation.objects.filter(
        citizen_id=citizen.pk, created_at__gt=window_start
    ).exclude(status__in=[Status.CANCELLED, Status.FAILED])
    if recent.exists():
        return "invited recently (recontact window)"
    return None


def follower_invitation_refusal(
    case: Case, follower: Any, *, survey: Survey | None, now: datetime
) -> str | None:
    """The fatigue rules for a citizen following a closed case: their record's consent and
    their "yes" when they followed, an email, not closed as duplicate/spam, a survey, once per
    follower and survey, the recontact window of their record (so the requester who also
    follows, or a follower of two cases, is asked once). Not the "contacted" rule: followers
    were emailed the resolution."""
    citizen = follower.citizen
    if follower.unsubscribed_at is not None:
        return "no longer following"
    if citizen is None:
        return "no citizen record"
    if not (follower.consent_surveys and citizen.consent_surveys):
        return "no survey consent"
    if not follower.email:
        return "no email address"
    if case.resolution_code in NO_SURVEY_RESOLUTIONS or case.merged_into_id is not None:
        return f"closed as {case.resolution_code}"
    if survey is None:
        return "no survey for this service"
    invited = SurveyInvitation.objects.filter(follower=follower, survey=survey)
    if invited.exclude(status=Status.CANCELLED).exists():
        return "already invited for this case"
    window_start = now - timedelta(days=settings.SURVEY_RECONTACT_DAYS)
    recent = SurveyInvitation.objects.filter(
        citizen_id=citizen.pk, created_at__gt=window_start
    ).exclude(status__in=[Status.CANCELLED, Status.FAILED])
    if recent.exists():
        return "invited recently (recontact window)"
    return None


def send_refusal(invitation: SurveyInvitation, *, now: datetime) -> str | None:
    """Why a claimed invitation must not be emailed now, or None to send it."""
    if not invitation.citizen.consent_surveys:
        return "opt-out"
    if invitation.sent_at is None:
        if invitation.case.status != Case.Status.CLOSED:
            return "case reopened"
        if invitation.created_at + timedelta(days=settings.SURVEY_EXPIRY_DAYS) <= now:
            return "too late"
    elif invitation.expires_at is None or invitation.expires_at <= now:
        return "expired"
    return None


def invitation_closed_reason(invitation_id: int, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    invitation = SurveyInvitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        return "unavailable"
    if invitation.status == Status.ANSWERED:
        return "answered"
    if invitation.status == Status.EXPIRED or (
        invitation.expires_at is not None and invitation.expires_at <= now
    ):
        return "expired"
    return "unavailable"


def invitation_for_survey_token(token: str) -> SurveyInvitation | None:
    """The invitation a survey link names; None for a tampered or unknown link."""
    invitation_id = links.invitation_id_from_survey_token(token)
    if invitation_id is None:
        return None
    return _invitation(invitation_id)


def invitation_for_unsubscribe_token(token: str) -> SurveyInvitation | None:
    invitation_id = links.invitation_id_from_unsubscribe_token(token)
    if invitation_id is None:
        return None
    return _invitation(invitation_id)


def _invitation(invitation_id: int) -> SurveyInvitation | None:
    return (
        SurveyInvitation.objects.select_related(
            "survey", "case", "case__category", "case__agency", "citizen"
        )
        .prefetch_related(
            Prefetch("survey__questions", queryset=Question.objects.order_by("order", "id"))
        )
        .filter(pk=invitation_id)
        .first()
    )


# --- results --------------------------------------------------------------------------------

GROUPS = ("team", "category", "agent")
MAX_PERIOD_DAYS = 5 * 366  # a longer period is cut to the last five years


@dataclass
class Figures:
    """The survey measures of one group of invitations/answers."""

    label: str = ""
    sent: int = 0
    answered: int = 0
    csat_count: int = 0
    csat_sum: int = 0
    csat_distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    nps_count: int = 0
    promoters: int = 0
    detractors: int = 0
    resolved_count: int = 0
    resolved_yes: int = 0

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None

    @property
    def csat_average(self) -> float | None:
        return round(self.csat_sum / self.csat_count, 2) if self.csat_count else None

    @property
    def csat_satisfied(self) -> float | None:
        """CSAT score: share of 4 and 5 answers, in percent."""
        if not self.csat_count:
            return None
        return round(100 * (self.csat_distribution[4] + self.csat_distribution[5])
                     / self.csat_count, 1)  # fmt: skip

    @property
    def passives(self) -> int:
        return self.nps_count - self.promoters - self.detractors

    @property
    def nps(self) -> float | None:
        """Net Promoter Score: % promoters (9 to 10) minus % detractors (0 to 6), -100 to 100."""
        if not self.nps_count:
            return None
        return round(100 * (self.promoters - self.detractors) / self.nps_count, 1)

    @property
    def resolved_rate(self) -> float | None:
        if not self.resolved_count:
            return None
        return round(100 * self.resolved_yes / self.resolved_count, 1)

    @property
    def csat_bars(self) -> list[tuple[int, int, float]]:
        """(score, count, percent of the CSAT answers) for the distribution table."""
        total = self.csat_count or 1
        return [(k, v, round(100 * v / total, 1)) for k, v in self.csat_distribution.items()]


@dataclass
class Comment:
    submitted_at: datetime
    text: str
    question: str
    case_reference: str | None
    category: str


@dataclass
class Results:
    start: date
    end: date
    group_by: str
    total: Figures
    groups: list[Figures]
    months: list[Figures]
    comments: list[Comment]

    @property
    def months_with_data(self) -> list[Figures]:
        return [m for m in self.months if m.sent or m.answered or m.csat_count or m.nps_count]


# No survey predates the year 2000 or follows 9000: dates outside are moved inside, so that
# "year 1" or "year 9999" in a request (or a typo in the form) cannot overflow the date maths.
EARLIEST, LATEST = date(2000, 1, 1), date(9000, 12, 31)


def _within_reason(day: date) -> date:
    return min(max(day, EARLIEST), LATEST)


def results_period(start: date | None, end: date | None, today: date | None = None):
    """Default: the last twelve months up to today, as [start, end] dates (end inclusive)."""
    today = today or timezone.localdate()
    end = _within_reason(end or today)
    start = _within_reason(start) if start else None
    if start is None:  # the first day of the month eleven months before `end`'s
        months = end.year * 12 + end.month - 1 - 11
        start = _within_reason(date(months // 12, months % 12 + 1, 1))
    if start > end:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_PERIOD_DAYS))
    return start, end


def _agency_zone(user: Any) -> zoneinfo.ZoneInfo:
    agency_id = user_agency_id(user)
    name = Agency.objects.filter(pk=agency_id).values_list("timezone", flat=True).first()
    return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)


def _bounds(start: date, end: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def responses_in_period(user: Any, start: date, end: date) -> QuerySet[SurveyResponse]:
    low, high = _bounds(start, end, _agency_zone(user))
    return scope_queryset(SurveyResponse.objects.all(), user).filter(
        submitted_at__gte=low, submitted_at__lt=high
    )


def invitations_in_period(user: Any, start: date, end: date) -> QuerySet[SurveyInvitation]:
    low, high = _bounds(start, end, _agency_zone(user))
    return scope_queryset(SurveyInvitation.objects.all(), user).filter(
        sent_at__gte=low, sent_at__lt=high
    )


def _answer_aggregates() -> dict[str, Any]:
    csat, nps = Q(question__kind=Question.Kind.CSAT), Q(question__kind=Question.Kind.NPS)
    resolution = Q(question__is_resolution=True)
    aggregates: dict[str, Any] = {
        "csat_count": Count("id", filter=csat),
        "csat_sum": Sum("number", filter=csat, default=0),
        "nps_count": Count("id", filter=nps),
        "promoters": Count("id", filter=nps & Q(number__gte=9)),
        "detractors": Count("id", filter=nps & Q(number__lte=6)),
        "resolved_count": Count("id", filter=resolution),
        "resolved_yes": Count("id", filter=resolution & Q(number=1)),
    }
    for score in range(1, 6):
        aggregates[f"csat_{score}"] = Count("id", filter=csat & Q(number=score))
    return aggregates


def _fill(figures: Figures, row: dict[str, Any]) -> None:
    for name in ("csat_count", "csat_sum", "nps_count", "promoters", "detractors",
                 "resolved_count", "resolved_yes"):  # fmt: skip
        setattr(figures, name, row.get(name) or 0)
    figures.csat_distribution = {k: row.get(f"csat_{k}") or 0 for k in range(1, 6)}


def _group_labels(group_by: str, keys: set) -> dict:
    keys = {k for k in keys if k is not None}
    if group_by == "team":
        return dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "category":
        return {c.pk: c.display_name for c in ServiceCategory.objects.filter(pk__in=keys)}
    from django.contrib.auth import get_user_model

    return {
        u.pk: u.get_full_name() or u.get_username()
        for u in get_user_model().objects.filter(pk__in=keys)
    }


def survey_results(
    user: Any, *, start: date | None = None, end: date | None = None, group_by: str = "team",
    comments_limit: int = 100,
) -> Results:  # fmt: skip
    """Response rate, CSAT (average and distribution), NPS and % resolved for the user's agency:
    overall, per team/category/agent, and per month. Invitations count by when they were sent,
    answers by when they were given."""
    group_by = group_by if group_by in GROUPS else "team"
    start, end = results_period(start, end)
    zone = _agency_zone(user)
    invitations = invitations_in_period(user, start, end)
    responses = responses_in_period(user, start, end)
    answers = Answer.objects.filter(response__in=responses)

    total = Figures(label=_("All"))
    counts = invitations.aggregate(sent=Count("id"), answered=Count("id", filter=Q(
        status=Status.ANSWERED)))  # fmt: skip
    total.sent, total.answered = counts["sent"], counts["answered"]
    _fill(total, answers.aggregate(**_answer_aggregates()))

    by_key: dict[Any, Figures] = {}
    for row in invitations.values(group_by).annotate(
        sent=Count("id"), answered=Count("id", filter=Q(status=Status.ANSWERED))
    ):
        figures = by_key.setdefault(row[group_by], Figures())
        figures.sent, figures.answered = row["sent"], row["answered"]
    for row in answers.values(f"response__{group_by}").annotate(**_answer_aggregates()):
        _fill(by_key.setdefault(row[f"response__{group_by}"], Figures()), row)
    labels = _group_labels(group_by, set(by_key))
    for key, figures in by_key.items():
        figures.label = labels.get(key) or _("(none)")
    groups = sorted(by_key.values(), key=lambda f: f.label.lower())

    by_month: dict[date, Figures] = {}
    for row in (
        invitations.annotate(month=TruncMonth("sent_at", tzinfo=zone))
        .values("month")
        .annotate(sent=Count("id"), answered=Count("id", filter=Q(status=Status.ANSWERED)))
    ):
        figures = by_month.setdefault(row["month"].date(), Figures())
        figures.sent, figures.answered = row["sent"], row["answered"]
    for row in (
        answers.annotate(month=TruncMonth("response__submitted_at", tzinfo=zone))
        .values("month")
        .annotate(**_answer_aggregates())
    ):
        _fill(by_month.setdefault(row["month"].date(), Figures()), row)
    months = []
    for month in _months(start, end):  # every month of the period, with data or not
        figures = by_month.get(month) or Figures()
        figures.label = month.strftime("%Y-%m")
        months.append(figures)

    return Results(start=start, end=end, group_by=group_by, total=total, groups=groups,
                   months=months, comments=_comments(answers, comments_limit))  # fmt: skip


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _comments(answers: QuerySet[Answer], limit: int) -> list[Comment]:
    rows = (
        answers.filter(question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .select_related("question", "response", "response__case", "response__category")
        .order_by("-response__submitted_at", "-id")[:limit]
    )
    return [
        Comment(
            submitted_at=a.response.submitted_at,
            text=a.text,
            question=a.question.display_text,
            case_reference=a.response.case.reference if a.response.case_id else None,
            category=a.response.category.display_name,
        )
        for a in rows
    ]


CSV_HEADER = [
    "submitted_at", "survey", "case_reference", "category", "team", "agent", "anonymous",
    "language", "csat", "nps", "resolved", "comments", "other_answers",
]  # fmt: skip


def results_csv_rows(user: Any, *, start: date | None = None, end: date | None = None
                     ) -> Iterator[list[Any]]:  # fmt: skip
    """One row per response of the period (the agency's only), header first. Raw values:
    the view neutralises formula-like cells."""
    start, end = results_period(start, end)
    zone = _agency_zone(user)
    responses = (
        responses_in_period(user, start, end)
        .select_related("survey", "case", "category", "team", "agent")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("submitted_at", "id")
    )
    yield CSV_HEADER
    for response in responses.iterator(chunk_size=500):
        csat = nps = resolved = ""
        comments, others = [], []
        for answer in response.answers.all():
            question = answer.question
            value = answer.value  # raw values for a spreadsheet (Answer.value)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if question.is_resolution:
                resolved = value
            elif question.kind == Question.Kind.CSAT:
                csat = value
            elif question.kind == Question.Kind.NPS:
                nps = value
            elif question.kind == Question.Kind.TEXT:
                comments.append(value)
            else:
                others.append(f"{question.code}={value}")
        agent = response.agent
        submitted = timezone.localtime(response.submitted_at, zone)
        yield [
            # An anonymous answer keeps only its day (feedback.survey_services.survey_respond).
            submitted.date().isoformat()
            if response.anonymous
            else submitted.isoformat(timespec="seconds"),
            response.survey.name,
            response.case.reference if response.case_id else "",
            response.category.display_name,
            response.team.name if response.team_id else "",
            (agent.get_full_name() or agent.get_username()) if agent else "",
            "yes" if response.anonymous else "no",
            response.language,
            csat,
            nps,
            resolved,
            " | ".join(comments),
            "; ".join(others),
        ]

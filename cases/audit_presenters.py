"""The audit trail's words for cases, their SLA and the catalogue (core.audit_presenters).

Registered in CasesConfig.ready(). A case is named by its reference and linked to its staff
page; a status change reads "Status changed to Resolved"; the SLA fields read as deadlines in
the reader's time zone and business time in hours and minutes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.presenters import SLA_THRESHOLDS
from core.audit_presenters import (
    HIDDEN,
    MINUTES,
    ActionKind,
    AuditVocabulary,
    ObjectKind,
    Ref,
    Said,
)

STATUS_ACTIONS = (
    "case.open", "case.in_progress", "case.waiting_on_citizen", "case.resolved", "case.closed",
)  # fmt: skip

USER = settings.AUTH_USER_MODEL.lower()

# Why a case's deadlines were recomputed (the `reason` of case.sla_recomputed).
RECOMPUTED = {
    "priority": gettext_lazy("SLA deadlines recomputed after the priority changed"),
    "category": gettext_lazy("SLA deadlines recomputed after the category changed"),
    "team": gettext_lazy("SLA deadlines recomputed after the case moved to another team"),
    "referral": gettext_lazy("SLA deadlines recomputed after the referral"),
    "calendar": gettext_lazy("SLA deadlines recomputed after the calendar changed"),
}


def _recomputed(said: Said) -> str:
    return str(RECOMPUTED.get(said.raw("reason"), gettext_lazy("SLA deadlines recomputed")))


def _recomputed_many(said: Said) -> str:
    """One row for a calendar change's recomputation: how many cases, and why."""
    count = said.raw("cases")
    count = count if isinstance(count, int) else said.count
    if said.raw("reason") == "team_calendar":
        text = ngettext(
            "SLA deadlines recomputed for %(count)s case after a team moved to this calendar",
            "SLA deadlines recomputed for %(count)s cases after a team moved to this calendar",
            count,
        )
    else:
        text = ngettext(
            "SLA deadlines recomputed for %(count)s case after the calendar changed",
            "SLA deadlines recomputed for %(count)s cases after the calendar changed",
            count,
        )
    return text % {"count": count}


def _thresholds(*pairs: tuple[str, str]) -> Any:
    """Warning/breach rows: the same words as the case's SLA history, one per clock."""

    def sentence(said: Said) -> str:
        found = [str(SLA_THRESHOLDS[kind][0]) for name, kind in pairs if said.raw(name)]
        return capfirst("; ".join(found)) if found else _("SLA state changed")

    return sentence


def _escalated(said: Said) -> str:
    level = said.raw("sla_escalation_level")
    return capfirst(str(SLA_THRESHOLDS["escalation"][0]) % {"level": level or "?"})


def _case_url(case: Any, viewer: Any) -> str:
    return reverse("cases:detail", args=[case.reference])


def vocabulary() -> AuditVocabulary:
    status = gettext_lazy("Status changed to %(status)s")
    return AuditVocabulary(
        actions={
            "case.citizen_replied": gettext_lazy("The citizen replied"),
            "case.citizen_confirmed_by_citizen": gettext_lazy(
                "The citizen confirmed the request is theirs (link in the receipt)"
            ),
            "case.citizen_created_and_linked": gettext_lazy(
                "A citizen record was created for the requester and linked"
            ),
            "case.citizen_suggestion_rejected": gettext_lazy(
                "The suggested citizen record was set aside: not the same person"
            ),
            "case.survey_consent_given": gettext_lazy("The requester agreed to a survey"),
            "case.created": gettext_lazy("Case created"),
            **{code: status for code in STATUS_ACTIONS},
            "case.reopened": gettext_lazy("Case reopened"),
            "case.reopened_by_survey": gettext_lazy("Reopened by the citizen's survey answer"),
            "case.assigned": gettext_lazy("Assigned to %(assignee)s"),
            "case.unassigned": gettext_lazy("No longer assigned to %(assignee_before)s"),
            "case.transferred": gettext_lazy("Transferred to the team %(team)s"),
            "case.referred": gettext_lazy("Referred to %(agency)s"),
            "case.received_by_referral": gettext_lazy(
                "Received by referral from %(agency_before)s"
            ),
            "case.priority_changed": gettext_lazy("Priority changed to %(priority)s"),
            "case.category_changed": gettext_lazy("Category changed to %(category)s"),
            "case.citizen_linked": gettext_lazy("Linked to the citizen record of %(citizen)s"),
            "case.contact_changed": gettext_lazy("Email for updates changed"),
            "case.contact_logged": gettext_lazy("Contact with the citizen logged"),
            "case.note_added": gettext_lazy("Internal note added"),
            "case.public_update": gettext_lazy("Public update sent to the citizen"),
            "case.attachment_added": gettext_lazy("File attached: %(attachment)s"),
            "case.updates_unsubscribed": gettext_lazy("The citizen stopped the update emails"),
            "case.anonymised": gettext_lazy("Personal data removed (retention)"),
            "case.sla_paused": gettext_lazy("SLA clock paused while waiting on the citizen"),
            "case.sla_resumed": gettext_lazy("SLA clock resumed"),
            "case.sla_restarted": gettext_lazy("SLA clock restarted"),
            "case.sla_stopped": gettext_lazy("SLA clock stopped"),
            "case.sla_first_response_met": gettext_lazy("First response given"),
            "case.sla_recomputed": _recomputed,
            "case.sla_state_changed": gettext_lazy("SLA state changed to %(sla_state)s"),
            "case.sla_warning": _thresholds(
                ("sla_first_response_warned_at", "first_response_warning"),
                ("sla_warned_at", "warning"),
            ),
            "case.sla_breached": _thresholds(
                ("sla_first_response_breached_at", "first_response_breach"),
                ("sla_breached_at", "breach"),
            ),
            "case.sla_escalated": _escalated,
            "sla.recomputed": _recomputed_many,
            "case.followed": gettext_lazy("%(follower)s follows the case"),
            "case.unfollowed": gettext_lazy("%(follower_before)s no longer follows the case"),
            "case.follower_added": gettext_lazy("A citizen follows the case"),
            "case.follower_changed": gettext_lazy("A citizen following the case changed"),
            "case.follower_unsubscribed": gettext_lazy(
                "A citizen stopped following the case (link in the email)"
            ),
            "case.merged_into": gettext_lazy("Merged into %(merged_into)s as a duplicate"),
            "case.merged_from": gettext_lazy("The duplicate %(merged_from)s was merged into it"),
            "case.unmerged": gettext_lazy("Merge into %(merged_into_before)s undone: reopened"),
            "case.unmerged_from": gettext_lazy("Merge of %(merged_from_before)s undone"),
            "case.related_linked": gettext_lazy("Marked as related to %(related)s"),
            "case.related_unlinked": gettext_lazy("No longer related to %(related_before)s"),
        },
        fields={
            "priority": gettext_lazy("Priority"),
            "category": gettext_lazy("Category"),
            "team": gettext_lazy("Team"),
            "agency": gettext_lazy("Agency"),
            "assignee": gettext_lazy("Assigned to"),
            "resolution_code": gettext_lazy("Resolution"),
            "citizen": gettext_lazy("Citizen"),
            "cases.case:first_response_at": gettext_lazy("First response"),
            "attachment": gettext_lazy("File"),
            "updates_opted_out": gettext_lazy("Update emails stopped"),
            "reporter_email": gettext_lazy("Email for updates"),
            "sla_policy": gettext_lazy("SLA policy"),
            "first_response_due_at": gettext_lazy("First response due"),
            "resolution_due_at": gettext_lazy("Resolution due"),
            "sla_consumed_minutes": gettext_lazy("Business time used"),
            "sla_clock_started_at": gettext_lazy("SLA clock running since"),
            "sla_paused": gettext_lazy("SLA clock paused"),
            "sla_state": gettext_lazy("SLA state"),
            "sla_escalation_level": gettext_lazy("Escalation level"),
            "sla_first_response_warned_at": gettext_lazy("First response warning"),
            "sla_first_response_breached_at": gettext_lazy("First response overdue since"),
            "sla_warned_at": gettext_lazy("Resolution warning"),
            "sla_breached_at": gettext_lazy("Resolution overdue since"),
            "channel": gettext_lazy("Channel"),
            "follower": gettext_lazy("Follower"),
            "source": gettext_lazy("How they came to follow"),
            "following": gettext_lazy("Following"),
            "consent_surveys": gettext_lazy("Agrees to a survey"),
            "merged_into": gettext_lazy("Merged into"),
            "merged_from": gettext_lazy("Merged from"),
            "followers": gettext_lazy("Followers added"),
            "related": gettext_lazy("Related case"),
        },
        values={
            # Taking a case (assigned as it opens) keeps the username, as an assignment does.
            **{
                f"{code}:assignee": Ref(USER, "username")
                for code in (*STATUS_ACTIONS, "case.reopened")
            },
            "case.assigned:assignee": Ref(USER, "username"),
            "case.unassigned:assignee": Ref(USER, "username"),
            "case.created:category": Ref("cases.servicecategory", "code", per_agency="agency"),
            "case.category_changed:category": Ref(
                "cases.servicecategory", "code", per_agency="agency"
            ),
            "note": HIDDEN,
            "public_update": HIDDEN,
            # A citizen follower is never named in the trail (their row id only says which).
            "case.follower_added:follower": HIDDEN,
            "case.follower_unsubscribed:follower": HIDDEN,
            "contact": HIDDEN,
            "next_check_at": HIDDEN,
            "sla_consumed_minutes": MINUTES,
            "cases.case:reason": HIDDEN,  # the sentence says why
            "sla.recomputed:reason": HIDDEN,
            "sla.recomputed:cases": HIDDEN,  # the count is in the sentence, the cases below it
        },
        objects={
            "cases.case": ObjectKind(
                noun=gettext_lazy("case"),
                label=lambda case: case.reference,
                url=_case_url,
                counted=lambda count: (
                    ngettext("%(count)s case", "%(count)s cases", count) % {"count": count}
                ),
            ),
            "cases.servicecategory": ObjectKind(noun=gettext_lazy("service category")),
            "cases.slapolicy": ObjectKind(noun=gettext_lazy("SLA policy")),
            "cases.slaescalationlevel": ObjectKind(
                noun=gettext_lazy("escalation level"), select_related=("policy",)
            ),
            "cases.attributedefinition": ObjectKind(
                noun=gettext_lazy("service question"), select_related=("category",)
            ),
        },
        actors={
            "sla-sweep": gettext_lazy("SLA sweep (automatic)"),
            "auto-close": gettext_lazy("Automatic closing of resolved cases"),
        },
        kinds=[
            ActionKind(
                "status",
                gettext_lazy("Status changes"),
                (*STATUS_ACTIONS, "case.reopened", "case.reopened_by_survey"),
            ),
            ActionKind(
                "assignment",
                gettext_lazy("Assignments, transfers and referrals"),
                (
                    "case.assigned",
                    "case.unassigned",
                    "case.transferred",
                    "case.referred",
                    "case.received_by_referral",
                ),
            ),
            ActionKind(
                "case",
                gettext_lazy("Other changes to cases"),
                (
                    "case.created",
                    "case.priority_changed",
                    "case.category_changed",
                    "case.citizen_linked",
                    "case.contact_changed",
                    "case.contact_logged",
                    "case.note_added",
                    "case.public_update",
                    "case.attachment_added",
                    "case.updates_unsubscribed",
                    "open311.request_created",
                    "case.followed",
                    "case.unfollowed",
                    "case.follower_added",
                    "case.follower_changed",
                    "case.follower_unsubscribed",
                    "case.merged_into",
                    "case.merged_from",
                    "case.unmerged",
                    "case.unmerged_from",
                    "case.related_linked",
                    "case.related_unlinked",
                ),
            ),
            ActionKind(
                "sla",
                gettext_lazy("SLA clocks, warnings, breaches and recomputations"),
                ("case.sla_*", "sla.recomputed"),
            ),
        ],
    )

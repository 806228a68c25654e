"""SQL and scripts the benchmark runs as they are (planted due cases, invitations, the SMTP
floor), kept apart from the measuring code in bench/run.py."""

PLANT_SQL = """
UPDATE cases_case c SET
    first_response_at = COALESCE(c.first_response_at, c.created_at),
    sla_consumed_minutes = p.resolution_minutes + 1 + random() * 10,
    sla_clock_started_at = %(now)s - interval '1 minute',
    sla_warned_at = COALESCE(c.sla_warned_at, %(now)s - interval '2 hours'),
    sla_state = 'at_risk',
    resolution_due_at = %(now)s - random() * interval '50 seconds',
    next_check_at = %(now)s - random() * interval '50 seconds'
FROM cases_slapolicy p
WHERE p.id = c.sla_policy_id AND c.id IN (
    SELECT id FROM cases_case
    WHERE status IN ('new', 'open', 'in_progress') AND sla_state = 'ok'
      AND sla_breached_at IS NULL AND next_check_at > %(now)s
    ORDER BY (id * 2654435761) %% 1000003 LIMIT %(due)s)
"""

INVITE_SQL = """
INSERT INTO feedback_surveyinvitation (survey_id, case_id, citizen_id, agency_id, category_id,
    team_id, agent_id, email, language, status, send_after, attempts, last_error, message_id,
    reminder_message_id, cancel_reason, created_at)
SELECT s.id, c.id, c.citizen_id, c.agency_id, c.category_id, c.team_id, c.assignee_id, z.email,
       c.language, 'pending', %(now)s - interval '1 minute', 0, '',
       '<bench-invitation-' || c.id || '-' || %(tag)s || '@bench.invalid>',
       '<bench-reminder-' || c.id || '-' || %(tag)s || '@bench.invalid>', '', %(now)s
FROM cases_case c
JOIN citizens_citizen z ON z.id = c.citizen_id
JOIN feedback_survey s ON s.agency_id = c.agency_id AND s.is_default AND s.active
WHERE c.status = 'closed' AND c.citizen_contacted AND z.consent_surveys AND z.email <> ''
  AND c.resolution_code NOT IN ('duplicate', 'spam')
  AND NOT EXISTS (SELECT 1 FROM feedback_surveyinvitation i WHERE i.case_id = c.id)
ORDER BY c.id DESC LIMIT %(count)s
RETURNING id
"""

SMTP_FLOOR = """
import smtplib, sys, time
from email.message import EmailMessage
port, count = int(sys.argv[1]), int(sys.argv[2])
message = EmailMessage()
message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "floor"
message.set_content("x" * 1500)
with smtplib.SMTP("127.0.0.1", port) as smtp:
    began = time.perf_counter()
    for _ in range(count):
        smtp.send_message(message)
    print(count / (time.perf_counter() - began))
"""

-- Reminders about B incidents that stay open. The count and the time of the
-- last reminder live with the incident, so that a restarted replica or a
-- newly elected leader neither repeats a reminder nor skips a number.

-- +goose Up

ALTER TABLE incidents
    -- Reminders sent so far; the next one is numbered reminders + 1.
    ADD COLUMN reminders        integer NOT NULL DEFAULT 0 CHECK (reminders >= 0),
    -- When the last reminder was made; null before the first, when the
    -- opening alert (at opened_at) is the last word.
    ADD COLUMN last_reminded_at timestamptz;

-- The reminder scan reads open B incidents in the order their last alert
-- was made, and stops at the first one not yet due: its cost grows with the
-- reminders due, not with the incidents kept.
CREATE INDEX incidents_remind_due_idx ON incidents ((coalesce(last_reminded_at, opened_at)))
    WHERE resolved_at IS NULL AND kind = 'B';

-- Reminders are keyed on the event that opened their incident.
CREATE INDEX events_incident_idx ON events (incident_id) WHERE incident_id IS NOT NULL;

-- +goose Down

DROP INDEX events_incident_idx;
DROP INDEX incidents_remind_due_idx;
ALTER TABLE incidents DROP COLUMN last_reminded_at, DROP COLUMN reminders;

"""Limits on what organisations write and on shift times; each violation is a user error naming the field."""

from __future__ import annotations

import math
from datetime import datetime

from service.kit.errors import CommonErrorCode, UserError
from service.kit.text import clean_line, clean_text
from service.volunteering.errors import VolunteeringErrorCode

NAME_MIN, NAME_MAX = 3, 140
DESCRIPTION_MAX = 5000
ADDRESS_MAX = 300
CONTACT_MAX = 300
ACCESSIBILITY_MAX = 2000
SKILLS_MAX, SKILL_MAX = 20, 60
MINIMUM_AGE_MAX = 99
CONFIRMATION_HOURS_MIN, CONFIRMATION_HOURS_MAX = 1, 168
CAPACITY_MAX = 10000
SHIFT_HOURS_MAX = 24
MINUTES_PER_HOUR = 60
# Attendance may exceed a shift's length by this much: setting up and clearing away belong to the work.
ATTENDANCE_MARGIN_MINUTES = 60


def name(value: str) -> str:
    text = clean_line(value, field="name")
    if not NAME_MIN <= len(text) <= NAME_MAX:
        raise UserError(
            VolunteeringErrorCode.NAME_LENGTH,
            f"Der Name muss {NAME_MIN} bis {NAME_MAX} Zeichen lang sein.",
            field="name",
        )
    return text


def limited(value: str, *, field: str, maximum: int, label: str) -> str:
    text = clean_text(value, field=field)
    if len(text) > maximum:
        raise UserError(
            VolunteeringErrorCode.TEXT_TOO_LONG, f"{label} darf höchstens {maximum} Zeichen haben.", field=field
        )
    return text


def skills(values: list[str]) -> list[str]:
    """Trimmed, without duplicates (case-insensitive), in the order given."""
    if len(values) > SKILLS_MAX:
        raise UserError(
            VolunteeringErrorCode.TOO_MANY_SKILLS, f"Höchstens {SKILLS_MAX} Fähigkeiten je Angebot.", field="skills"
        )
    cleaned: dict[str, str] = {}
    for value in values:
        text = clean_line(value, field="skills")
        if not 1 <= len(text) <= SKILL_MAX:
            raise UserError(
                VolunteeringErrorCode.SKILL_LENGTH, f"Jede Fähigkeit hat 1 bis {SKILL_MAX} Zeichen.", field="skills"
            )
        cleaned.setdefault(text.casefold(), text)
    return list(cleaned.values())


def minimum_age(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MINIMUM_AGE_MAX:
        raise UserError(
            VolunteeringErrorCode.MINIMUM_AGE_RANGE,
            f"Das Mindestalter liegt zwischen 0 und {MINIMUM_AGE_MAX}.",
            field="minimumAge",
        )
    return value


def confirmation_hours(value: int) -> int:
    if not CONFIRMATION_HOURS_MIN <= value <= CONFIRMATION_HOURS_MAX:
        raise UserError(
            VolunteeringErrorCode.CONFIRMATION_HOURS_RANGE,
            f"Die Frist zum Bestätigen liegt zwischen {CONFIRMATION_HOURS_MIN} und {CONFIRMATION_HOURS_MAX} Stunden.",
            field="confirmationHours",
        )
    return value


def shift_times(starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise UserError(
            VolunteeringErrorCode.SHIFT_TIMES_INVALID, "Bitte Zeiten mit Zeitzone angeben.", field="startsAt"
        )
    if ends_at <= starts_at:
        raise UserError(
            VolunteeringErrorCode.SHIFT_TIMES_INVALID, "Das Ende muss nach dem Beginn liegen.", field="endsAt"
        )
    if (ends_at - starts_at).total_seconds() > SHIFT_HOURS_MAX * 3600:
        raise UserError(
            VolunteeringErrorCode.SHIFT_TIMES_INVALID,
            f"Ein Einsatz dauert höchstens {SHIFT_HOURS_MAX} Stunden.",
            field="endsAt",
        )
    if starts_at <= now:
        raise UserError(
            VolunteeringErrorCode.SHIFT_TIMES_INVALID, "Der Beginn muss in der Zukunft liegen.", field="startsAt"
        )


def capacity(value: int) -> int:
    if not 1 <= value <= CAPACITY_MAX:
        raise UserError(
            VolunteeringErrorCode.CAPACITY_RANGE, f"Ein Einsatz hat 1 bis {CAPACITY_MAX} Plätze.", field="capacity"
        )
    return value


def attended_minutes_limit(shift_minutes: int) -> int:
    """The most a person can have worked on a shift: its length plus an hour (setting up, clearing away), at most
    a day."""
    return min(shift_minutes + ATTENDANCE_MARGIN_MINUTES, SHIFT_HOURS_MAX * MINUTES_PER_HOUR)


def attended_minutes(*, hours: float | None, minutes: int | None, shift_minutes: int) -> int:
    """Whole minutes from `hours` or `minutes` (one of them; neither: the shift's length), between 0 and the
    shift's length plus an hour."""
    if hours is not None and minutes is not None:
        raise UserError(CommonErrorCode.INVALID_INPUT, "Bitte entweder Stunden oder Minuten angeben.", field="minutes")
    field = "minutes" if minutes is not None else "hours"
    if minutes is not None:
        value = minutes
    elif hours is not None:
        if not math.isfinite(hours) or abs(hours) > SHIFT_HOURS_MAX * 2:
            raise UserError(
                VolunteeringErrorCode.HOURS_RANGE, "Bitte eine gültige Zahl von Stunden angeben.", field=field
            )
        value = round(hours * MINUTES_PER_HOUR)
    else:
        value = shift_minutes
    limit = attended_minutes_limit(shift_minutes)
    if not 0 <= value <= limit:
        raise UserError(
            VolunteeringErrorCode.HOURS_RANGE,
            f"Für diesen Einsatz lassen sich 0 bis {format_hours(limit)} Stunden eintragen "
            "(seine Dauer und eine Stunde für Auf- und Abbau).",
            field=field,
        )
    return value


def format_hours(minutes: int) -> str:
    """German notation with at most two decimals: 90 → "1,5", 61 → "1,02"."""
    return f"{round(minutes / MINUTES_PER_HOUR, 2):g}".replace(".", ",")

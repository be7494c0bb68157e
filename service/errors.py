"""Errors that are part of the contract: shown to the caller as they are, never masked."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ExpectedError(Exception):
    """Base of errors whose message is meant for the caller."""

    code: ClassVar[str] = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code}


class NotAuthenticated(ExpectedError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Anmeldung erforderlich.") -> None:
        super().__init__(message)


class InvalidArgument(ExpectedError):
    """A query argument out of range (queries have no result union, so this is a top-level error)."""

    code = "BAD_USER_INPUT"


class PermissionDenied(ExpectedError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Dafür fehlt Ihnen die Berechtigung.") -> None:
        super().__init__(message)


class ErrorCode(StrEnum):
    """Machine-readable codes of user errors; clients switch on these, people read the German message."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_TOWN = "UNKNOWN_TOWN"
    UNKNOWN_USER = "UNKNOWN_USER"
    ROLE_NEEDS_TOWN = "ROLE_NEEDS_TOWN"
    ROLE_IS_REGION_WIDE = "ROLE_IS_REGION_WIDE"
    TITLE_LENGTH = "TITLE_LENGTH"
    BODY_TOO_LONG = "BODY_TOO_LONG"
    TEXT_INVALID = "TEXT_INVALID"
    UNKNOWN_STRATEGY_AREA = "UNKNOWN_STRATEGY_AREA"
    LOCATION_OUTSIDE_TOWN = "LOCATION_OUTSIDE_TOWN"
    TOO_MANY_IMAGES = "TOO_MANY_IMAGES"
    ALT_TEXT_LENGTH = "ALT_TEXT_LENGTH"
    UNKNOWN_IDEA = "UNKNOWN_IDEA"
    UNKNOWN_COMMENT = "UNKNOWN_COMMENT"
    IDEA_NOT_EDITABLE = "IDEA_NOT_EDITABLE"
    IDEA_NOT_OPEN = "IDEA_NOT_OPEN"
    OWN_IDEA = "OWN_IDEA"
    COMMENT_LENGTH = "COMMENT_LENGTH"
    REPLY_NOT_ALLOWED = "REPLY_NOT_ALLOWED"
    REPORT_TEXT_TOO_LONG = "REPORT_TEXT_TOO_LONG"
    ALREADY_REPORTED = "ALREADY_REPORTED"
    ANSWER_LENGTH = "ANSWER_LENGTH"
    REPORT_THRESHOLD_RANGE = "REPORT_THRESHOLD_RANGE"
    MODERATION_REASON_LENGTH = "MODERATION_REASON_LENGTH"
    DECISION_NOT_APPLICABLE = "DECISION_NOT_APPLICABLE"
    UNKNOWN_SURVEY = "UNKNOWN_SURVEY"
    SURVEY_DATES_INVALID = "SURVEY_DATES_INVALID"
    QUESTION_INVALID = "QUESTION_INVALID"
    SURVEY_NOT_EDITABLE = "SURVEY_NOT_EDITABLE"
    SURVEY_HAS_RESPONSES = "SURVEY_HAS_RESPONSES"
    SURVEY_STATUS_CHANGE = "SURVEY_STATUS_CHANGE"
    SURVEY_NOT_OPEN = "SURVEY_NOT_OPEN"
    NOT_IN_AUDIENCE = "NOT_IN_AUDIENCE"
    ALREADY_ANSWERED = "ALREADY_ANSWERED"
    ANSWER_INVALID = "ANSWER_INVALID"
    ANSWER_REQUIRED = "ANSWER_REQUIRED"
    UNKNOWN_ORGANISATION = "UNKNOWN_ORGANISATION"
    UNKNOWN_OFFER = "UNKNOWN_OFFER"
    UNKNOWN_SHIFT = "UNKNOWN_SHIFT"
    UNKNOWN_SIGN_UP = "UNKNOWN_SIGN_UP"
    NAME_LENGTH = "NAME_LENGTH"
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    TOO_MANY_SKILLS = "TOO_MANY_SKILLS"
    SKILL_LENGTH = "SKILL_LENGTH"
    MINIMUM_AGE_RANGE = "MINIMUM_AGE_RANGE"
    CONFIRMATION_HOURS_RANGE = "CONFIRMATION_HOURS_RANGE"
    ORGANISATION_NOT_VERIFIED = "ORGANISATION_NOT_VERIFIED"
    OFFER_NOT_EDITABLE = "OFFER_NOT_EDITABLE"
    OFFER_NOT_OPEN = "OFFER_NOT_OPEN"
    OFFER_TEXT_REFUSED = "OFFER_TEXT_REFUSED"
    SHIFT_TIMES_INVALID = "SHIFT_TIMES_INVALID"
    CAPACITY_RANGE = "CAPACITY_RANGE"
    CAPACITY_BELOW_TAKEN = "CAPACITY_BELOW_TAKEN"
    SHIFT_CANCELLED = "SHIFT_CANCELLED"
    SIGN_UP_CLOSED = "SIGN_UP_CLOSED"
    ALREADY_SIGNED_UP = "ALREADY_SIGNED_UP"
    OVERLAPPING_SHIFT = "OVERLAPPING_SHIFT"
    SIGN_UP_NOT_ACTIVE = "SIGN_UP_NOT_ACTIVE"
    PLACE_NOT_OFFERED = "PLACE_NOT_OFFERED"
    PLACE_OFFER_EXPIRED = "PLACE_OFFER_EXPIRED"
    SHIFT_NOT_OVER = "SHIFT_NOT_OVER"
    SHIFT_STARTED = "SHIFT_STARTED"
    HOURS_RANGE = "HOURS_RANGE"
    MODERATION_TERM_INVALID = "MODERATION_TERM_INVALID"
    MODERATION_TERM_LIMIT = "MODERATION_TERM_LIMIT"
    UNKNOWN_MODERATION_TERM = "UNKNOWN_MODERATION_TERM"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    ROLE_NEEDS_ORGANISATION = "ROLE_NEEDS_ORGANISATION"
    LAST_MANAGER = "LAST_MANAGER"
    EMAIL_AMBIGUOUS = "EMAIL_AMBIGUOUS"
    COMMENT_NOT_PUBLISHED = "COMMENT_NOT_PUBLISHED"
    COMMENT_NOT_OPEN = "COMMENT_NOT_OPEN"
    OWN_CONTRIBUTION = "OWN_CONTRIBUTION"
    NOTHING_TO_APPEAL = "NOTHING_TO_APPEAL"
    ALREADY_APPEALED = "ALREADY_APPEALED"
    APPEAL_TEXT_LENGTH = "APPEAL_TEXT_LENGTH"
    WEBHOOK_URL_INVALID = "WEBHOOK_URL_INVALID"
    UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
    UNKNOWN_WEBHOOK_SUBSCRIPTION = "UNKNOWN_WEBHOOK_SUBSCRIPTION"


class UserError(Exception):
    """A refused request that the caller can correct; returned as data in the mutation's result union."""

    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(UserError):
    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)

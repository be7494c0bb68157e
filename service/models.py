"""Every mapped model, imported once so that metadata and relationships are complete."""

from service.audit.models import AuditEntry
from service.auth.models import RoleGrant
from service.auth.sessions import WebSession
from service.db.base import Base
from service.events.models import Event
from service.ideas.models import Comment, Idea, OfficialAnswer, Report, Support
from service.moderation.models import ModerationDecision, ModerationTerm, TownModerationSettings
from service.notifications.models import Notification
from service.privacy.models import DataExport, DeletedIdentity, ErasedIdentityHold
from service.surveys.models import Answer, Participation, Question, Response, Results, Survey
from service.system.models import WorkerHeartbeat
from service.tallies.models import ParticipationTally, TallyRun
from service.towns.models import StrategyArea, Town
from service.users.models import User
from service.volunteering.models import Offer, Organisation, Shift, SignUp
from service.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "Answer",
    "AuditEntry",
    "Base",
    "Comment",
    "DataExport",
    "DeletedIdentity",
    "ErasedIdentityHold",
    "Event",
    "Idea",
    "ModerationDecision",
    "ModerationTerm",
    "Notification",
    "Offer",
    "OfficialAnswer",
    "Organisation",
    "Participation",
    "ParticipationTally",
    "Question",
    "Report",
    "Response",
    "Results",
    "RoleGrant",
    "Shift",
    "SignUp",
    "StrategyArea",
    "Support",
    "Survey",
    "TallyRun",
    "Town",
    "TownModerationSettings",
    "User",
    "WebSession",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerHeartbeat",
]

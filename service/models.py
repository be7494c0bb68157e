"""Every mapped model, imported once so that metadata and relationships are complete."""

from service.audit.models import AuditEntry
from service.auth.models import RoleGrant
from service.db.base import Base
from service.system.models import WorkerHeartbeat
from service.towns.models import StrategyArea, Town
from service.users.models import User

__all__ = ["AuditEntry", "Base", "RoleGrant", "StrategyArea", "Town", "User", "WorkerHeartbeat"]

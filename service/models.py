"""Every mapped model, imported once so that metadata and relationships are complete."""

from service.db.base import Base
from service.system.models import WorkerHeartbeat
from service.towns.models import StrategyArea, Town
from service.users.models import User

__all__ = ["Base", "StrategyArea", "Town", "User", "WorkerHeartbeat"]

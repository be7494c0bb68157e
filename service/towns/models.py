from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, CreatedAtMixin, IdMixin


class Town(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "towns"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    is_pioneer: Mapped[bool] = mapped_column(default=False)
    # A generous bounding box around the town: geo points outside it are refused as typos.
    min_latitude: Mapped[float]
    max_latitude: Mapped[float]
    min_longitude: Mapped[float]
    max_longitude: Mapped[float]

    strategy_areas: Mapped[list[StrategyArea]] = relationship(
        back_populates="town", lazy="raise", order_by="StrategyArea.position"
    )

    __table_args__ = (
        CheckConstraint("min_latitude < max_latitude AND min_longitude < max_longitude", name="bounding_box"),
    )


class StrategyArea(IdMixin, CreatedAtMixin, Base):
    """A field of action (Handlungsfeld) of one town's strategy, or a region-wide theme when `town_id` is NULL."""

    __tablename__ = "strategy_areas"

    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(String(2000), default="")
    position: Mapped[int] = mapped_column(default=0)

    town: Mapped[Town | None] = relationship(back_populates="strategy_areas", lazy="raise")

    __table_args__ = (
        UniqueConstraint("town_id", "slug", postgresql_nulls_not_distinct=True),
        Index(None, "town_id"),
    )

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, TimestampMixin


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    enterprise_number: Mapped[str] = mapped_column(String(10), unique=True)
    sector: Mapped[str] = mapped_column(String(40), index=True)
    size_band: Mapped[str] = mapped_column(String(10), index=True)
    municipality: Mapped[str] = mapped_column(String(10), index=True)
    funded_by_vgc: Mapped[bool] = mapped_column(default=False)

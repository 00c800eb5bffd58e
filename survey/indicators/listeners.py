"""What the indicators do when another domain tells them something."""

from __future__ import annotations

from survey.indicators.service import release_at_close

__all__ = ["release_at_close"]

"""Template filters of the benchmark pages, registered on the template environment by the app."""

from __future__ import annotations

from jinja2 import Environment

from survey.benchmarks.charts import wrap_label


def register_filters(env: Environment) -> None:
    """``label_lines``: a chart label wrapped into lines."""
    env.filters["label_lines"] = wrap_label

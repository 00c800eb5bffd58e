# N-scan tasks. Run with `uv run just <recipe>` (just comes with the dev dependencies).

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes
default:
    @just --list

# Install the front-end files (htmx, axe-core) exactly as locked
assets:
    npm ci --no-audit --no-fund --loglevel=error

# First run and every run after: schema, demo network, then serve on 127.0.0.1:8000
# (another port: `just start --port 8001`, or SURVEY_PORT / SURVEY_HOST). Ctrl+C stops the
# server cleanly; `just` still exits 130 after a Ctrl+C, but without a "recipe failed" line.
[no-exit-message]
start *ARGS: assets migrate demo
    uv run survey serve {{ARGS}}

# Serve the app (SURVEY_* variables configure it; `just serve --port 8001`)
[no-exit-message]
serve *ARGS:
    uv run survey serve {{ARGS}}

# Apply the database migrations
migrate:
    uv run survey db upgrade

# Load the demo network (keeps an existing one; `just demo --reset` rebuilds it)
demo *ARGS:
    uv run survey demo {{ARGS}}

# Create a new migration from the models: just revision "what changed"
revision MESSAGE:
    uv run alembic revision --autogenerate -m "{{MESSAGE}}"

# Lint first, then the whole test suite (PostgreSQL too when SURVEY_TEST_DATABASE_URL is set)
test *ARGS: assets lint
    uv run pytest {{ARGS}}

# Lint, format check, type check and the direction of imports (docs/architecture.md)
lint:
    uv run ruff check survey tests migrations bench
    uv run ruff format --check survey tests migrations bench
    uv run mypy
    uv run mypy bench/load.py bench/baseline.py bench/submit_lock.py
    uv run lint-imports

# Format the code
fmt:
    uv run ruff check --fix survey tests migrations bench
    uv run ruff format survey tests migrations bench

# Extract interface texts and update the nl/fr/en catalogues
i18n:
    uv run pybabel extract -F babel.cfg -k N_ -k _ -o survey/locale/messages.pot --no-location --omit-header .
    uv run pybabel update -i survey/locale/messages.pot -d survey/locale --width 100

# Schemathesis over the API document, 100 examples per operation: anonymous, as a demo
# manager and with a read-only token; on PostgreSQL too when SURVEY_TEST_DATABASE_URL is set
fuzz *ARGS:
    SURVEY_FUZZ_EXAMPLES=${SURVEY_FUZZ_EXAMPLES:-100} uv run pytest tests/integration/web/test_schemathesis.py -n 1 {{ARGS}}

# Validate the questionnaire definitions
questionnaires:
    uv run survey questionnaires validate

# Validate the trajectory catalogue
trajectories:
    uv run survey trajectories validate

# Time the benchmark recompute at network scale against a numpy baseline (prints `ratio: X`)
bench *ARGS:
    uv run python bench/benchmarks.py {{ARGS}}

# Load test from outside against the goals of issue 15 (`--postgresql URL`, `--quick`)
load *ARGS:
    uv run python bench/load.py {{ARGS}}

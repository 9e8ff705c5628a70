# Infusion RCM. `make run` and `make test` each set up everything they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck fmt worker beat bench schema migrate seed check-services clean backup restore audit

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## run: migrate, load demo data, serve on 127.0.0.1:8000 (+ a Celery worker when Redis answers)
run: $(STAMP)
	./scripts/run.sh

## test: ruff, mypy, migrations and schema checks, then the whole suite (with coverage) on PostgreSQL and Redis
test: $(STAMP)
	./scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## typecheck: mypy with the django, DRF and pydantic plugins (strict for domain/, common/, x12/)
typecheck: $(STAMP)
	DJANGO_ENV=test $(VENV)/bin/mypy

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: $(STAMP)
	$(VENV)/bin/celery -A infusion_rcm.celery worker -l info -Q default,scrub,batch,eligibility,era

beat: $(STAMP)
	$(VENV)/bin/celery -A infusion_rcm.celery beat -l info --schedule var/celerybeat-schedule

## bench: every benchmark under bench/, one `BENCH name value unit` line per figure
bench: $(STAMP)
	./scripts/bench.sh

schema: $(STAMP)
	DJANGO_ENV=test $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

migrate: $(STAMP)
	$(PY) manage.py migrate

seed: $(STAMP)
	$(PY) manage.py seed_demo

## backup: pg_dump of DATABASE_URL to var/backups/ (or OUT=file); see SECURITY.md
backup:
	./scripts/backup.sh $(OUT)

## restore: make restore DUMP=file TARGET=postgres://.../new_db (a new or empty database only)
restore:
	./scripts/restore.sh $(DUMP) $(TARGET)

## audit: pip-audit of the pinned requirements against the PyPI advisory database (needs network,
## so it is not part of make test; run it in CI with network or before each release)
audit: $(STAMP)
	$(VENV)/bin/pip-audit --strict -r requirements.txt -r requirements-dev.txt

clean:
	rm -rf $(VENV) var staticfiles

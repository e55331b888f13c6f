# The commands people type. `make run` and `make test` work on a fresh clone with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export PORT

.PHONY: install run test test-fast lint format messages lock serve clean bench load

$(VENV)/.installed: requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 is required" if sys.version_info[:2] != (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Development server with the demo data; DEBUG is on unless the environment says otherwise.
# With HUEY_URL (a Redis) the job consumer runs beside it (reminders, open-data files); without
# one, jobs run at once in the request and today's reminders are sent before the server starts.
run: export DEBUG ?= True
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py first_run
	@if [ -n "$$HUEY_URL" ]; then \
		echo "Job queue $$HUEY_URL: the consumer (manage.py run_huey) runs beside the server"; \
		$(BIN)/python manage.py run_huey & consumer=$$!; \
		trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	else \
		echo "No job queue (HUEY_URL unset): jobs run at once; today's reminders now"; \
		$(BIN)/python manage.py send_reminders; \
	fi; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite (unit, database, admin and browser tests) on DATABASE_URL (SQLite by default).
# Files go to the workers in pytest-django's order (transactional tests last: their flush empties
# the rows the data migrations wrote), not largest first.
# The browser tests need Java and the npm test tools (the Nu Html Checker, axe-core).
BROWSER_TOOLS := tests/browser/node_modules/.installed

$(BROWSER_TOOLS): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --ignore-scripts
	touch $@

test: install $(BROWSER_TOOLS)
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder -q $(PYTEST_ARGS)

# The README's screenshots (docs/screenshots/), from the browser tests that look at every screen.
screenshots: install $(BROWSER_TOOLS)
	$(BIN)/pytest -q -p no:randomly tests/browser/test_screens.py tests/browser/test_staff_import.py \
		tests/browser/test_plans.py tests/browser/test_worklist.py tests/browser/test_written_reports.py \
		tests/browser/test_maps.py tests/browser/test_needs.py
	$(BIN)/python docs/build_screenshots.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=True $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production-style server: gunicorn behind whitenoise (set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL).
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn -c ketnghia/gunicorn.conf.py ketnghia.wsgi

# Extract and compile translations (needs GNU gettext: apt-get install gettext).
messages: install
	DEBUG=True $(BIN)/python manage.py makemessages -l vi -l en --add-location=file \
		--ignore=.venv --ignore=staticfiles --ignore=test-artifacts --ignore=docs --ignore=tests
	DEBUG=True $(BIN)/python manage.py compilemessages --ignore=.venv
	@echo "Django's own gaps live in ketnghia/locale-django (edit, then compilemessages)."

# Speed of the public pages on a national dataset, gunicorn and PostgreSQL on loopback (README,
# "Benchmark"). The datasets are made once by generate_national (minutes), then reused.
SCALE ?= 1
COMPARE ?= 0.1
bench: install
	$(BIN)/python -m bench.run --scale $(SCALE) --compare "$(COMPARE)" $(BENCH_ARGS)

# The documented deployment (nginx, gunicorn, the job consumer) on loopback, loaded for a minute
# by readers and writers through nginx (README, "Benchmark"); needs nginx, PostgreSQL and Redis.
load: install
	$(BIN)/python -m bench.deployed $(LOAD_ARGS)

lock:
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" -o requirements.lock

clean:
	rm -rf $(VENV) staticfiles test-artifacts

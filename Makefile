# The two commands: `make run` and `make test` (see README). Everything else is a helper.
PY := .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/binhdang
HOST ?= 127.0.0.1:8000
export UV_PYTHON_DOWNLOADS := never
# Keep compiled modules (some machines set PYTHONDONTWRITEBYTECODE=1): each Python process would
# otherwise compile Django and every library again, ~1.3 s a process and more for the suite's.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install chromium setup lint format bench

install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen --python python3.11
	@touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

setup: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_units
	$(PY) manage.py load_plan
	$(PY) manage.py load_reporting
	$(PY) manage.py load_catalogue

# The web server and, beside it, the worker that makes the long files (core.jobs; the database
# queue, or Redis with REDIS_URL): stopping the server (Ctrl+C) stops the worker too.
run: setup
	$(PY) manage.py load_demo
	@echo "binhdang: http://$(HOST)/ (and a background worker: manage.py worker)"
	@$(PY) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# The suite on SQLite and on PostgreSQL at the same time, one process each, and the linters
# beside them, each with its own log under $(OUT); the logs' ends are shown and any failing fails
# the target. Each run is named in TEST_RUN, and a test whose outcome cannot depend on the
# database runs in one of the two only (conftest._run_of): browser tests and tests that cannot
# touch the database in the SQLite run, searches and crawls marked `once` in the run they name.
# Branch coverage is traced in the SQLite run (tracing the PostgreSQL run too, each a share of the
# files, was slower: the PostgreSQL run is the slower at everything). Without a PostgreSQL server
# the SQLite run goes alone and runs everything.
OUT := $(CURDIR)/.test
test: install chromium
	@rm -rf $(OUT) && mkdir -p $(OUT)/sqlite $(OUT)/postgresql
	@$(MAKE) --no-print-directory lint >$(OUT)/lint.log 2>&1 & lint=$$!; \
	if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "== SQLite and PostgreSQL runs in parallel (logs: $(OUT)/sqlite.log, $(OUT)/postgresql.log) =="; \
		TEST_RUN=postgresql DATA_DIR=$(OUT)/postgresql DATABASE_URL=$(PG_URL) $(PY) -m pytest \
			>$(OUT)/postgresql.log 2>&1 & pg=$$!; \
		run=sqlite; \
	else \
		echo "== PostgreSQL not reachable at 127.0.0.1:5432: skipped the PostgreSQL run =="; \
		pg=; run=; \
	fi; \
	TEST_RUN=$$run DATA_DIR=$(OUT)/sqlite COVERAGE_FILE=$(OUT)/.coverage $(PY) -m pytest \
		--cov --cov-report=term:skip-covered >$(OUT)/sqlite.log 2>&1; sqlite=$$?; \
	status=$$sqlite; \
	if [ -n "$$pg" ]; then \
		wait $$pg; postgresql=$$?; [ $$postgresql -eq 0 ] || status=$$postgresql; \
		echo "== PostgreSQL (exit $$postgresql) =="; \
		if [ $$postgresql -eq 0 ]; then tail -n 1 $(OUT)/postgresql.log; \
		else tail -n 150 $(OUT)/postgresql.log; fi; \
	fi; \
	echo "== SQLite, with branch coverage (exit $$sqlite) =="; \
	if [ $$sqlite -eq 0 ]; then sed -n '/coverage: platform/,$$p' $(OUT)/sqlite.log; \
	else tail -n 250 $(OUT)/sqlite.log; fi; \
	wait $$lint; linted=$$?; [ $$linted -eq 0 ] || status=$$linted; \
	echo "== Lint: ruff, ruff format, mypy (exit $$linted) =="; \
	if [ $$linted -eq 0 ]; then tail -n 1 $(OUT)/lint.log; else cat $(OUT)/lint.log; fi; \
	exit $$status

bench: install chromium
	$(PY) bench/pages.py

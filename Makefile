# The two commands: `make run` and `make test` (see README). Everything else is a helper.
PY := .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/binhdang
HOST ?= 127.0.0.1:8000
export UV_PYTHON_DOWNLOADS := never

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

run: setup
	$(PY) manage.py load_demo
	@echo "binhdang: http://$(HOST)/"
	$(PY) manage.py runserver $(HOST)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: install chromium lint
	$(PY) -m pytest
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "== PostgreSQL is reachable: running the suite again on it =="; \
		DATABASE_URL=$(PG_URL) $(PY) -m pytest; \
	else \
		echo "== PostgreSQL not reachable at 127.0.0.1:5432: skipped the PostgreSQL run =="; \
	fi

bench: install chromium
	$(PY) bench/pages.py

# longwar: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
VNU := node_modules/vnu-jar/build/dist/vnu.jar
HOST ?= 127.0.0.1
PORT ?= 8000
# The settings default to production (DEBUG off, SECRET_KEY required); these targets are development.
# `make serve` sets DEBUG=false itself; `DEBUG=false make run` is honoured.
export DEBUG ?= true

.PHONY: install run test serve bench lint format db stop clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("longwar needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

# The W3C's HTML checker that the tests run over the pages (npm's vnu-jar; needs Java). Its install script
# would download a Java runtime of its own: skipped, the system's java is used.
$(VNU): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(VNU)

# Start (and on first use initialise) the embedded PostgreSQL in one process, before anything runs in parallel.
db: install
	$(PY) manage.py check --fail-level ERROR >/dev/null

# The embedded server stops with the last process using it (Ctrl-C or kill stops the site, and so the server);
# after a `kill -9` it can keep running: this stops it.
stop: install
	$(PY) -m longwar.embedded_db stop

run: export SITE_URL ?= http://$(HOST):$(PORT)
run: db
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seeds
	$(PY) manage.py ensure_admin
	@echo "Serving on http://$(HOST):$(PORT)/ with a task worker for email (Ctrl-C to stop)"
	$(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: db $(VNU)
	$(PY) -m pytest $(PYTEST_ARGS)

# Production-style: gunicorn + whitenoise, DEBUG off. Real deployments set SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL and DONATION_URL; locally a key is generated into .secret-key and HTTPS is not forced.
serve: db
	@test -n "$$DONATION_URL" || { echo "make serve runs with DEBUG off, which needs DONATION_URL, the https:// address of the donation page, e.g. DONATION_URL=https://donate.example.org/longwar make serve" >&2; exit 1; }
	test -s .secret-key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > .secret-key
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-$$(cat .secret-key)} $(PY) manage.py collectstatic --noinput -v0
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-$$(cat .secret-key)} $(PY) manage.py migrate --noinput
	export DEBUG=false SECRET_KEY=$${SECRET_KEY:-$$(cat .secret-key)} \
	  SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} SECURE_COOKIES=$${SECURE_COOKIES:-false}; \
	  $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn longwar.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

bench: db
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache

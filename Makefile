# The two commands: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install assets system-packages lint typecheck pytest bench bench-packages bench-components schema clean

## install: the locked Python dependencies in .venv and the pinned front-end packages
install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## assets: compile GOV.UK Frontend (Sass) and copy the JS into portal/static (not committed)
assets: portal/static/.built

portal/static/.built: node_modules/.installed frontend/build.mjs frontend/portal.scss frontend/portal.mjs $(wildcard frontend/images/*)
	node frontend/build.mjs
	touch $@

## system-packages: Debian's chromium (browser tests), poppler-utils (pdftoppm) and HarfBuzz's subset
## library (WeasyPrint embeds font subsets with it; without it WeasyPrint warns and the suite fails), if absent
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	/sbin/ldconfig -p | grep -q 'libharfbuzz-subset\.so\.0' || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

## run: migrate SQLite in instance/, load the demo, start the sign-in provider, mail sink, worker and portal
run: install assets
	$(PY) -m portal.devtools.stack --port $(PORT)

## test: lint, type-check, and the whole suite on SQLite and PostgreSQL
test: install assets system-packages lint typecheck pytest

lint:
	$(VENV)/bin/ruff check portal tests bench migrations wsgi.py
	$(VENV)/bin/ruff format --check portal tests bench wsgi.py

typecheck:
	$(VENV)/bin/mypy portal

pytest:
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

## bench: load the scale data set into a fresh PostgreSQL database, serve it with gunicorn (Redis rate-limit
## storage) and drive it with wrk; prints the ratio table and writes bench/results/http_load.md (not in `make test`)
bench: install assets bench-packages
	$(PY) bench/http_load.py $(BENCH_ARGS)

## bench-packages: Debian's wrk (the load generator), if absent
bench-packages:
	@command -v wrk >/dev/null || { echo "installing wrk"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

## bench-components: the standalone component benchmarks (signing, GIAS import, notice fan-out)
bench-components: install assets
	$(PY) bench/documents_sign.py
	$(PY) bench/gias_import.py
	$(PY) bench/notify_fanout.py --deliver 5000

## schema: regenerate the squashed schema revision from the models (pre-release only)
schema: install
	$(PY) migrations/regenerate.py

clean:
	rm -rf $(VENV) node_modules portal/static

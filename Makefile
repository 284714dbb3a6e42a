# The two commands: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: translations translations-update run test install lock-check audit-deps alerts assets system-packages lint layers typecheck pytest bench bench-packages bench-components schema clean

## uv, pinned with its hashes, installed from PyPI into a small bootstrap environment (.tools) by
## the machine's own pip: no install script from the internet, nothing that a new release can change.
UV_VERSION := 0.13.8
UV_HASHES := \
	--hash=sha256:e18a57b8b352eb7c8feb317b9f6f533c8f0ad9673fd6cf34bbe3cf1a9f6a8984 \
	--hash=sha256:0b3e8b1a4f5e405e31e2ff33de8af4744831e9f7338539671efbd8c3c94e791d \
	--hash=sha256:29451c60f5e8b07403e0a175d5229efc36b0289b34143ff4aaa499a5dd52553a
UV := .tools/bin/uv
export UV_PYTHON := $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(VENV)

## install: the Python dependencies exactly as uv.lock pins them, and the pinned front-end packages
install: $(VENV)/.installed node_modules/.installed

$(UV):
	test -x .tools/bin/python || $(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
	  -r <(echo "uv==$(UV_VERSION) $(UV_HASHES)")
	touch $@

# --locked: the lock is used as it is and nothing is resolved; a lock that no longer matches
# pyproject.toml is an error, not a silent re-resolution.
$(VENV)/.installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --locked --extra dev --quiet
	touch $@

## lock-check: uv.lock still matches pyproject.toml (run `.tools/bin/uv lock` after editing dependencies)
lock-check: $(UV)
	$(UV) lock --check --quiet

## audit-deps: check every locked Python package against a vulnerability database (a release step, docs/security.md;
## it needs pypi.org's JSON API or api.osv.dev, which not every build machine can reach)
audit-deps: $(UV)
	$(UV) export --frozen --no-hashes --extra dev --no-emit-project --quiet -o .tools/requirements-audit.txt
	$(UV) tool run --from pip-audit==2.10.1 pip-audit --disable-pip --no-deps --progress-spinner off \
	  -r .tools/requirements-audit.txt $(AUDIT_ARGS)

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

## run: migrate SQLite in instance/, load the demo, start the sign-in provider, mail sink, workers, stand-in platform and portal
run: install assets translations
	$(PY) -m portal.devtools.stack --port $(PORT)

## test: lint, type-check, and the whole suite on SQLite and PostgreSQL
test: install lock-check assets translations system-packages lint layers typecheck alerts pytest

## translations: compile the Welsh catalogue (#29) into the .mo file Flask-Babel reads
translations: translations/cy/LC_MESSAGES/messages.mo

translations/cy/LC_MESSAGES/messages.mo: $(VENV)/.installed $(wildcard translations/cy/LC_MESSAGES/messages.po)
	$(PY) -m portal.devtools.catalogue compile

## translations-update: extract every marked string into the catalogue, keeping its Welsh; then
## `$(PY) -m portal.devtools.catalogue missing` lists what still needs translating
translations-update: install
	$(PY) -m portal.devtools.catalogue update

## alerts: the Prometheus alert rules parse and fire as their tests say (promtool from Debian's
## prometheus package, unpacked into .tools/ without installing or starting a server)
alerts: .tools/bin/promtool
	.tools/bin/promtool check rules deploy/alerts.yml
	.tools/bin/promtool test rules deploy/alerts.test.yml

.tools/bin/promtool:
	@mkdir -p .tools/bin; tmp=$$(mktemp -d); \
	( cd $$tmp && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus; }; } ) && \
	dpkg-deb -x $$tmp/prometheus_*.deb $$tmp/x && cp $$tmp/x/usr/bin/promtool $@ && rm -rf $$tmp

lint:
	$(VENV)/bin/ruff check portal tests bench migrations wsgi.py
	$(VENV)/bin/ruff format --check portal tests bench wsgi.py

## layers: capabilities import one way only (the contracts in .importlinter)
layers:
	$(VENV)/bin/lint-imports --no-logo --no-cache

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
	rm -rf $(VENV) .tools node_modules portal/static

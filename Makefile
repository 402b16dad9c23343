# Docker Basics: thin targets over the Python helpers (`python -m course`).
# `make help` lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/scripts
# Every tool comes from the project's own environment first (never from one installed by hand).
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export NO_MKDOCS_2_WARNING := 1
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_WORKERS ?= 4

.PHONY: help serve build build-offline test test-run test-fast test-clean doctor system engine diagrams lint vendor deps lock bench bench-errors clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP_PY): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

deps: $(STAMP_PY) $(STAMP_NPM) ## Install the locked Python and npm dependencies

vendor: deps ## Copy mermaid.js and the other browser assets into docs/assets/vendor/
	$(PY) -m course vendor

system: ## Install the missing Debian packages and start the engine (root), or say how
	@python3 -m course doctor --setup

doctor: deps ## Print every part the tests use: version and where it was found
	@$(PY) -m course doctor

engine: ## Start the course's Docker engine (Engine 28 from Debian's packages, root only)
	python3 -m course engine up

serve: vendor ## Serve the site with live reload at http://127.0.0.1:8000
	@$(PY) -m course doctor --port $(PORT) --host $(HOST)
	SITE_URL=http://$(HOST):$(PORT)/ $(PY) -m mkdocs serve --livereload --dev-addr $(HOST):$(PORT)

diagrams: vendor ## Draw new or changed Mermaid diagrams into includes/diagrams/ (needs Chromium; commit them)
	$(PY) -m course diagrams

build: vendor ## Build site/ strictly (any warning fails)
	$(PY) -m mkdocs build --strict

build-offline: vendor ## Build site-offline/ for reading from file:// (offline plugin)
	$(PY) -m mkdocs build --strict --config-file mkdocs.offline.yml

test: ## Set up what is missing, then run every check (the ten slowest and the total time at the end)
	@$(MAKE) --no-print-directory test-run; status=$$?; echo "make test: $$SECONDS s in all (exit $$status)"; exit $$status

# The engine's tests in three groups, each in order on one xdist worker (conftest.py), the rest on any.
test-run: system vendor
	@$(PY) -m course doctor
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=10

lint: $(STAMP_PY) ## Run the fast gates: Markdown, spelling, Dockerfiles, shell, Python, workflows, import layers
	$(PY) -m course lint

test-fast: vendor ## Run the checks that need no Docker and no browser (about a minute)
	$(PY) -m pytest -m "not browser and not docker" -n auto --durations=5

test-clean: ## Clone into a throwaway folder and run the README's commands there with system PATH only
	python3 -m course clean-check

bench: vendor ## Print figures (not a test): build time, page weight, Lighthouse, example builds, error finder
	$(PY) -m course bench
	$(PY) -m course bench-examples
	PYTHON=$(PY) node scripts/bench-errors.mjs

bench-errors: deps ## Print the error finder's figures: right answers on the test pastes, size, speed
	PYTHON=$(PY) node scripts/bench-errors.mjs

.PHONY: offline pdf image

offline: vendor ## Write dist/docker-basics-offline.zip: the course to read from file://, no network
	$(PY) -m course offline

pdf: vendor ## Write dist/docker-basics.pdf: the whole course as one PDF (headless Chromium)
	$(PY) -m course pdf

image: $(STAMP_PY) ## Build the course's container image docker-basics:latest (root Dockerfile)
	$(PY) -m course image

lock: ## Refresh the Python locks (hashes) from requirements*.in, and package-lock.json
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv==0.13.9
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 requirements.in -o requirements.txt
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 requirements-site.in \
	  --constraint requirements.txt -o requirements-site.txt
	npm install --package-lock-only --no-audit --no-fund --ignore-scripts

clean: ## Remove built sites and caches (keeps .venv and node_modules)
	rm -rf site site-offline .pytest_cache

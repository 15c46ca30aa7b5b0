# Two commands do everything on a fresh clone:
#   make serve   set up, then serve the site at http://127.0.0.1:8000 at once; snippets without a
#                result run in the background and appear in the open page (rebuilds on edits)
#   make test    set up, then run every test (snippets, pages, engine, browser, content)
# Others: make build (the site into site/, with its PDFs), make pdf, make bench (build benchmark),
#   make clean, make lock (requirements.lock from requirements.txt, after changing a pin).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build pdf test bench setup data browser clean lock

# --dirty: a rebuild renders only the pages an edit or a new result changed (engine/site/rebuilds.py).
serve: setup
	$(BIN)/mkdocs serve --dirty

# The site, then one PDF per language printed from it into site/pdf/ (both home pages link them).
build: setup browser
	$(BIN)/mkdocs build --strict
	$(BIN)/python -m engine.products.pdf site site/pdf

# The PDFs again, from the site already built in site/.
pdf: setup browser
	$(BIN)/python -m engine.products.pdf site site/pdf

# Execution phase first (published results fetched, missing snippets run, with a progress line;
# the light ones two at a time, engine/core/run.py); a failing snippet is reported here and again by
# its test. Then pytest on every core (pytest-xdist; the site is built once for all workers).
test: setup browser
	-$(BIN)/python -m engine run --keep-going --jobs 2
	$(BIN)/python -m pytest -n auto

bench: setup
	$(BIN)/python -m engine.tools.bench

# The whole suite as `make test` runs it, 3 times in a row beside 2 busy CPU loops, on a warm
# cache; prints each run's result line, fails when one run failed (.ci/stress; RUNS=, HOGS=).
.PHONY: stress
stress: setup browser
	.ci/stress

setup: $(STAMP) data

# torch 2.14.1 + torchvision 0.29.1 (a CUDA build, also runs on the CPU) and the site's tools:
# every package, dependencies included, at the version and sha256 of requirements.lock.
# Python 3.11.5 or later: pymdown-extensions 13.1.2 requires it (Debian 12's python3 is 3.11.2).
$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:3] < (3, 11, 5))' || { \
	  echo "$(PYTHON) is $$($(PYTHON) --version 2>&1): requirements.lock needs Python 3.11.5 or later (make PYTHON=...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# requirements.lock: requirements.txt's pins and all their dependencies, with the sha256 of every
# file PyPI has for each version (pip-tools, in a throw-away environment). Versions already in the
# lock are kept; run it after adding or changing a pin in requirements.txt and commit both.
LOCK_TOOLS := .cache/pip-tools
lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check pip-tools==7.6.2
	$(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
	  --output-file requirements.lock requirements.txt

# Datasets: verified, seeded from ../shared/data when it exists, else downloaded.
data: $(STAMP)
	$(BIN)/python -m engine.core.data

# The browser tests and the PDFs use COURSE_CHROMIUM when set (GitHub's runners: Playwright's own
# browser, see ci.yml), else Debian's chromium (playwright cannot download its own here); the
# Chinese PDF needs a CJK font to embed. apt-get runs through sudo when not root (a CI runner user).
APT := $(if $(filter 0,$(shell id -u)),,sudo -n) env DEBIAN_FRONTEND=noninteractive apt-get
browser:
	@[ -n "$$COURSE_CHROMIUM" ] || command -v chromium >/dev/null || { \
	  echo "Installing chromium for the browser tests (apt-get)"; \
	  $(APT) update -qq && $(APT) install -y -qq chromium >/dev/null; }
	@fc-list :lang=zh | grep -q . || { \
	  echo "Installing fonts-noto-cjk for the Chinese PDF (apt-get)"; \
	  $(APT) update -qq && $(APT) install -y -qq fonts-noto-cjk >/dev/null; }

clean:
	rm -rf site .cache .pytest_cache

# CUDA checks that fail without a GPU, then the site built on it (a GPU machine; the Pages
# workflow's GPU shard runs the same `pytest -m cuda` after its snippets).
.PHONY: test-gpu
test-gpu: setup
	$(BIN)/python -m engine run --no-fetch --cuda-pages  # several at a time, longest first; the checks reuse them
	REQUIRE_CUDA=1 $(BIN)/python -m pytest -m cuda
	$(BIN)/mkdocs build --strict

# The GitHub workflows (ci.yml, then pages.yml) on this machine with act, as a non-root sudo user
# (README, "Running the workflows locally"); e.g. make workflows ACT=../act-venv/bin/act.
.PHONY: workflows
workflows:
	ACT="$(or $(ACT),act)" ACT_PYTHON="$(or $(ACT_PYTHON),python3)" .ci/workflows ci
	ACT="$(or $(ACT),act)" ACT_PYTHON="$(or $(ACT_PYTHON),python3)" .ci/workflows pages

# Two commands do everything on a fresh clone:
#   make serve   set up, then serve the site at http://127.0.0.1:8000 at once; snippets without a
#                result run in the background and appear in the open page (rebuilds on edits)
#   make test    set up, then run every test (snippets, pages, engine, browser, content)
# Others: make build (the site into site/), make bench (build benchmark), make clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test bench setup data browser clean

serve: setup
	$(BIN)/mkdocs serve

build: setup
	$(BIN)/mkdocs build --strict

# Execution phase first (published results fetched, missing snippets run, with a progress line);
# a failing snippet is reported here and again by its test.
test: setup browser
	-$(BIN)/python -m engine run --keep-going
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m engine.bench

setup: $(STAMP) data

# torch 2.14.1 + torchvision 0.29.1 (a CUDA build, also runs on the CPU) and the site's tools.
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Datasets: verified, seeded from ../shared/data when it exists, else downloaded.
data: $(STAMP)
	$(BIN)/python -m engine.data

# The browser tests use Debian's chromium (playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing chromium for the browser tests (needs root: apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf site .cache .pytest_cache

# GPU job (.github/workflows/gpu.yml): CUDA checks that fail without a GPU, then the site built on it.
.PHONY: test-gpu
test-gpu: setup
	REQUIRE_CUDA=1 $(BIN)/python -m pytest -m cuda
	$(BIN)/mkdocs build --strict

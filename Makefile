# Two commands do everything on a fresh clone:
#   make serve   set up, then serve the site at http://127.0.0.1:8000 (rebuilds on edits)
#   make test    set up, then run every test (snippets, pages, engine, browser, content)
# Others: make build (the site into site/, with its PDFs), make pdf, make bench (build benchmark), make clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build pdf test bench setup data browser clean

serve: setup
	$(BIN)/mkdocs serve

# The site, then one PDF per language printed from it into site/pdf/ (both home pages link them).
build: setup browser
	$(BIN)/mkdocs build --strict
	$(BIN)/python -m engine.pdf site site/pdf

# The PDFs again, from the site already built in site/.
pdf: setup browser
	$(BIN)/python -m engine.pdf site site/pdf

test: setup browser
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

# The browser tests and the PDFs use Debian's chromium (playwright cannot download its own here);
# the Chinese PDF needs a CJK font to embed.
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing chromium for the browser tests (needs root: apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@fc-list :lang=zh | grep -q . || { \
	  echo "Installing fonts-noto-cjk for the Chinese PDF (needs root: apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }

clean:
	rm -rf site .cache .pytest_cache

# GPU job (.github/workflows/gpu.yml): CUDA checks that fail without a GPU, then the site built on it.
.PHONY: test-gpu
test-gpu: setup
	REQUIRE_CUDA=1 $(BIN)/python -m pytest -m cuda
	$(BIN)/mkdocs build --strict

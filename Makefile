# The course's commands. `make lab` and `make test` are the two in the README.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# cpu (default) or gpu: which TensorFlow wheel the venv gets.
TF ?= cpu
STAMP := $(VENV)/.installed-$(TF)
# Jupyter refuses to run as root (containers, CI boxes) unless told.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
export TF_CPP_MIN_LOG_LEVEL ?= 3
export TF_ENABLE_ONEDNN_OPTS ?= 0

.PHONY: venv lab formgrader test test-quick test-jax lint course outputs bench bench-quick clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "mmcourse needs Python >= 3.10, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[$(TF),dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# JupyterLab on the course folder, lesson 00 open. mmcourse/jupyter_config/ (put first on Jupyter's
# config path) turns nbgrader's server and lab extensions off here: no Validate button or
# nbgrader menus on the lessons, no nbgrader warnings in the log. Learners check an exercise
# with `mmcourse check` (exercises/README.md); instructors get nbgrader in `make formgrader`.
LAB_CONFIG := JUPYTER_CONFIG_PATH="$(CURDIR)/mmcourse/jupyter_config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}"
lab: $(STAMP)
	$(LAB_CONFIG) $(BIN)/jupyter lab $(LAB_ROOT) --notebook-dir=. notebooks/00_start_here.ipynb

# The instructors' JupyterLab: on exercises/, the nbgrader course, with nbgrader's formgrader
# (manual grading), Validate button and menus; it finds exercises/nbgrader_config.py.
formgrader: $(STAMP)
	cd exercises && $(abspath $(BIN))/jupyter lab $(LAB_ROOT) --notebook-dir=.

# Lint, every test and notebook on TensorFlow, then the backend-agnostic tests on JAX, each run
# shared by TEST_WORKERS processes (pytest-xdist, file by file: tests/scheduling.py). Two fit
# 2 cores and a laptop's memory (each worker with its notebook kernel holds 1-2 GB);
# TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile
test: lint
	MMCOURSE_FAST=1 $(BIN)/python -m pytest --nbval-lax -p no:cacheprovider --durations=15 $(XDIST)
	$(MAKE) --no-print-directory test-jax

# The inner loop: the unit tests, no notebooks, no slow tests (about 3 minutes on 2 cores).
test-quick: $(STAMP)
	MMCOURSE_FAST=1 $(BIN)/python -m pytest -p no:cacheprovider -q -m "not slow" tests

# The model and layer tests once more in a process of their own on the JAX backend (Keras
# fixes its backend when first imported), the way Keras runs its own suite per backend.
JAX_TESTS ?= tests/models tests/text/test_skipgram.py tests/test_checkpoint.py
test-jax: $(STAMP)
	KERAS_BACKEND=jax MMCOURSE_FAST=1 $(BIN)/python -m pytest -p no:cacheprovider -q --durations=5 $(XDIST) $(JAX_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Execute every notebook headless (full mode unless MMCOURSE_FAST=1) into build/, plus HTML.
course: $(STAMP)
	$(BIN)/python -m mmcourse.cli course --out build

# Re-execute the notebooks in place in full mode and stamp them: what is committed (about 15
# minutes on 2 cores; `make outputs NOTEBOOKS=notebooks/04_image_sentiment.ipynb` for one).
outputs: $(STAMP)
	$(BIN)/mmcourse outputs $(NOTEBOOKS)

# Measure this machine (notebooks/BENCHMARKS.md): the input pipeline against listing 4.2, every
# lesson model's throughput, cost growth over 1k/6k/50k posts, every lesson in fast and full
# mode (about 40 minutes on 2 cores). `make bench-quick` is the one-minute version CI runs.
bench: $(STAMP)
	$(BIN)/mmcourse bench --full-lessons --out build/bench.json --markdown build/bench.md

bench-quick: $(STAMP)
	$(BIN)/mmcourse bench --quick --out build/bench-quick.json

# The course as a static website in build/site/ (open build/site/index.html): every lesson,
# the appendices, results, benchmarks, dataset card, glossary and the exercises to download,
# from the committed notebooks, never re-executed; offline (MathJax from the venv, widgets as
# pictures of their first state). About 25 s on 2 cores.
.PHONY: site
site: $(STAMP)
	$(BIN)/python -m mmcourse.site --out build/site

clean:
	rm -rf build .pytest_cache

# The browser tests alone (tests/browser, about 3 minutes on 2 cores): JupyterLab in headless
# Chromium, screenshots in build/browser/. `make test` runs them too, or says why it skipped them.
.PHONY: test-browser
test-browser: $(STAMP)
	MMCOURSE_FAST=1 $(BIN)/python -m pytest -p no:cacheprovider -q tests/browser

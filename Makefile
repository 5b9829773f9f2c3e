# Deep Learning, Reproduced. The two commands: `make reproduce` and `make test`.
# Every target installs what it needs into .venv on a fresh machine.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PROFILE ?= quick
DEVICE  ?= auto
NAME    ?=
ENGINE  ?= local
JOBS    ?= 1
# torch is pinned here (the CPU wheel on this project's machines); pyproject.toml keeps a
# range so that Colab and GPU machines keep the torch they already have.
TORCH_PIN ?= torch==2.13.0
# Extra arguments for `make lab`, e.g. LAB_ARGS="--port 8890 --no-browser".
LAB_ARGS ?=
# JupyterLab's defaults inside .venv: a double-clicked .py opens as a (jupytext) notebook.
LAB_VIEWERS := $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json

.PHONY: setup lab reproduce test book chapter store sync lint bench browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_PIN)"
	$(PY) -m pip install -q -e ".[book,test,dev,lab,cluster]"
	$(VENV)/bin/jupytext-config --settings-file $(LAB_VIEWERS) set-default-viewer python
	touch $(STAMP)

## make lab: JupyterLab on chapters/ with .venv's Python as the kernel. A chapter's .ipynb or
## its .py (jupytext) opens as a notebook; widgets are live (DLREPRO_HEADLESS is cleared).
lab: $(STAMP)
	DLREPRO_HEADLESS= JUPYTER_PREFER_ENV_PATH=1 $(VENV)/bin/jupyter lab --ServerApp.root_dir=chapters \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## make reproduce [PROFILE=quick|full] [DEVICE=auto|cpu|cuda] [SHAM=1] [JOBS=N] [ENGINE=ray]:
## run every chapter headless (SHAM=1: each chapter's sham run first; JOBS=N: N chapters at once;
## ENGINE=ray: on a Ray cluster), write records and the executed notebooks under
## _build/reproduce, build scoreboard and book.
reproduce: $(STAMP)
	$(PY) -m dlrepro reproduce --profile $(PROFILE) --device $(DEVICE) --out _build/reproduce \
		--engine $(ENGINE) --jobs $(JOBS) $(if $(SHAM),--with-sham)

## make test: library tests, chapters at smoke, nbval on stored notebooks, pairing, book + browser.
test: $(STAMP) browser
	OMP_NUM_THREADS=1 DLREPRO_HEADLESS=1 DLREPRO_RESULTS=$(CURDIR)/_build/test-results \
		$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider \
		tests chapters --nbval-lax --nbval-current-env

## make book: render the stored outputs (nothing is executed) into _build/book/_build/html.
book: $(STAMP)
	$(PY) -m dlrepro book --out _build/book

## make chapter NAME=lottery_ticket [PROFILE=smoke|quick|full]: run one chapter headless.
chapter: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make chapter NAME=<chapter> [PROFILE=quick]; see: $(PY) -m dlrepro list"; exit 2; }
	$(PY) -m dlrepro run $(NAME) --profile $(PROFILE) --device $(DEVICE)

## make store NAME=...: authors re-run a chapter at quick and store its outputs and record.
store: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make store NAME=<chapter>"; exit 2; }
	$(VENV)/bin/jupytext --sync chapters/*/$(NAME).py
	$(PY) -m dlrepro run $(NAME) --store

sync: $(STAMP)
	$(VENV)/bin/jupytext --sync chapters/*/*.py

lint: $(STAMP)
	$(VENV)/bin/ruff check lib tests benchmarks chapters

bench: $(STAMP)
	$(PY) benchmarks/train_throughput.py --compile
	$(PY) benchmarks/chapter_overhead.py

# Debian's headless Chromium and its driver for the rendered-book check (root on CI machines).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium chromium-driver >/dev/null; }

clean:
	rm -rf _build scoreboard.md

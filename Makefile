# Two commands matter: `make demo` and `make test`. Everything installs into ./.venv.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export LANGSMITH_TRACING ?= false

.PHONY: install system-deps demo test test-fast lint bench clean

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

# Debian packages the product and its tests use: chromium-headless-shell (JS-rendered pages),
# chromium (review-page tests; the renderer's fallback), docker-compose (validates docker-compose.yml; no Docker engine is needed) and
# prometheus (only its promtool, to check alert rules; no daemon is started) and
# dovecot-imapd (a real IMAP server the reply-polling tests start on loopback).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	test -x /usr/lib/chromium/chromium-headless-shell || missing="$$missing chromium-headless-shell"; \
	command -v docker-compose >/dev/null 2>&1 || missing="$$missing docker-compose"; \
	command -v promtool >/dev/null 2>&1 || missing="$$missing prometheus"; \
	command -v dovecot >/dev/null 2>&1 || missing="$$missing dovecot-imapd"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	    || echo "warning: could not install$$missing (browser and compose tests need them)"; \
	fi

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PY)
	@touch $@

install: system-deps $(VENV)/.installed
	@echo "installed: $(VENV)/bin/leadgen"

demo: install
	$(VENV)/bin/leadgen demo

test: install
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n 3

test-fast: install
	$(VENV)/bin/python -m pytest -q -m "not slow and not browser"

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(VENV)/bin/python -m bench.run_all

clean:
	rm -rf $(VENV) $(TOOLS) .leadgen .pytest_cache

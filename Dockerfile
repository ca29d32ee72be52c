# leadgen image: the API (`serve`, default), the Celery worker (`worker`) and migrations
# (`db upgrade`) all run from this one image; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# Debian's chromium-headless-shell (chromium's "old headless shell": same Blink and V8, no browser
# UI, a third of the memory) is the Playwright fallback for JavaScript-rendered pages; Playwright's
# own browser download is never used. Unpinned on purpose: bookworm's chromium only moves with
# security updates, which we want.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium-headless-shell fonts-liberation ca-certificates \
    && rm -rf /var/lib/apt/lists/*

RUN pip install "uv==0.13.9"

WORKDIR /app

# Dependencies first, from the lock file only, so this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN uv sync --frozen --no-dev --no-editable

RUN groupadd --system --gid 10001 leadgen \
    && useradd --system --uid 10001 --gid leadgen --home-dir /app --shell /usr/sbin/nologin leadgen \
    && mkdir -p /data \
    && chown leadgen:leadgen /data

USER 10001:10001

ENV LEADGEN_DATA_DIR=/data \
    LEADGEN_BROWSER_EXECUTABLE=/usr/lib/chromium/chromium-headless-shell

VOLUME ["/data"]
# 8000: API (`serve`), 9100: worker metrics (`worker`)
EXPOSE 8000 9100

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

ENTRYPOINT ["leadgen"]
CMD ["serve", "--host", "0.0.0.0"]

# A small image running `digest-bot run` (or `worker`) as the unprivileged user `digest`,
# its SQLite database and output on the /data volume.
# Build: docker build -t arxiv-digest-bot .
# Run:   docker run --init -v digest-data:/data -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN arxiv-digest-bot
# With PostgreSQL, a leader and N workers: docker compose up -d --scale worker=N.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DIGEST_DATABASE_URL=sqlite:////data/digest.db \
    DIGEST_DEFAULTS_OUTPUT_DIR=/data/out

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config config
COPY digest digest
COPY bot bot
# The psycopg binary wheel bundles libpq: no apt packages, no compiler. The project's
# own dependencies are pinned in pyproject.toml; `.` is this source tree, not PyPI.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir '.[postgres]' \
    && groupadd --gid 10001 digest \
    && useradd --create-home --uid 10001 --gid 10001 digest \
    && mkdir -p /data \
    && chown digest:digest /data
COPY docker/entrypoint.sh /usr/local/bin/digest-entrypoint
# Ahead of pip's console script: `docker exec` runs as root, and this runs it as digest.
COPY docker/digest-bot /opt/digest/bin/digest-bot
ENV PATH=/opt/digest/bin:$PATH

WORKDIR /data
# Declared after the chown: a fresh named volume starts out owned by `digest`.
VOLUME /data
# No USER: the entrypoint starts as root only to hand a bind-mounted /data to `digest`
# (uid 10001), then runs digest-bot as `digest` through setpriv (docker/entrypoint.sh).
# No HEALTHCHECK: `run` beats into the database (the `instances` table, for run
# ownership), not into the container; probing a chat gateway from a second process
# would need packages and tokens the image should not carry.
ENTRYPOINT ["digest-entrypoint", "digest-bot"]
CMD ["run"]

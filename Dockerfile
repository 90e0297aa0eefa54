# A small image running `digest-bot run` as a non-root user, its database on a volume.
# Build: docker build -t arxiv-digest-bot .
# Run:   docker run --init -v digest-data:/data -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN arxiv-digest-bot
# With PostgreSQL: docker compose up -d (see docker-compose.yml).
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
# The psycopg binary wheel bundles libpq: no apt packages, no compiler.
RUN pip install --no-cache-dir '.[postgres]' \
    && useradd --create-home --uid 10001 digest \
    && mkdir -p /data \
    && chown digest /data

USER digest
WORKDIR /data
# Declared after the chown: a fresh named volume starts out owned by `digest`.
VOLUME /data
# No HEALTHCHECK: `run` beats into the database (the `instances` table, for run
# ownership), not into the container; probing a chat gateway from a second process
# would need packages and tokens the image should not carry.
ENTRYPOINT ["digest-bot"]
CMD ["run"]

# A small image running `digest-bot` as a non-root user, its database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DIGEST_DATABASE_URL=sqlite:////data/digest.db \
    DIGEST_DEFAULTS_OUTPUT_DIR=/data/out

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config config
COPY digest digest
COPY bot bot
RUN pip install --no-cache-dir '.[postgres]' \
    && useradd --create-home --uid 10001 digest \
    && mkdir -p /data \
    && chown digest /data

USER digest
WORKDIR /data
VOLUME /data
ENTRYPOINT ["digest-bot"]
CMD ["demo"]

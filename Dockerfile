# Production image: gunicorn + whitenoise. docker-compose.yml builds it once (service
# `migrate`) and runs it as migrate, web, worker and beat. Base images pinned to a release.
FROM node:20.18.1-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/vendor-assets scripts/vendor-assets
RUN scripts/vendor-assets node_modules static/vendor

FROM python:3.11.11-slim-bookworm
# gunicorn binds 0.0.0.0:$PORT and runs $WEB_CONCURRENCY workers (its own conventions).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production \
    PORT=8000 \
    WEB_CONCURRENCY=3
WORKDIR /app
RUN useradd --create-home --uid 10001 citizencrm
COPY . .
COPY --from=assets /build/static/vendor static/vendor
# scripts/collect-static is what tests/deploy runs too: hashed, compressed static files.
RUN pip install --upgrade pip \
 && pip install --require-hashes -r requirements/prod.txt \
 && pip install --no-deps -e . \
 && pybabel compile -d locale -D django \
 && scripts/collect-static \
 && mkdir -p /app/media && chown -R citizencrm /app/media
USER citizencrm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-m", "citizencrm.healthcheck", "web"]
CMD ["gunicorn", "citizencrm.wsgi:application", "--access-logfile", "-"]

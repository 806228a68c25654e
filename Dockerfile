# Production image: gunicorn + whitenoise. Used by docker-compose.yml for web, worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/vendor-assets scripts/vendor-assets
RUN scripts/vendor-assets node_modules static/vendor

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production
WORKDIR /app
RUN useradd --create-home --uid 10001 citizencrm
COPY . .
COPY --from=assets /build/static/vendor static/vendor
RUN pip install --upgrade pip \
 && pip install -e . "babel>=2.14" \
 && pybabel compile -d locale -D django \
 && DJANGO_SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 EMAIL_URL=consolemail:// \
    python manage.py collectstatic --no-input \
 && mkdir -p /app/media && chown -R citizencrm /app/media
USER citizencrm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "citizencrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

# Production image: gunicorn web, Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV DJANGO_ENV=production
RUN SECRET_KEY=build-only-$(date +%s)-collectstatic-placeholder-value-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://localhost:6379/0 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --create-home rcm && mkdir -p /app/var && chown -R rcm /app/var
USER rcm
EXPOSE 8000
CMD ["gunicorn", "infusion_rcm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

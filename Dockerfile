FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango; Chinese needs a CJK font (without one it draws empty boxes) and
# libharfbuzz-subset0 (without it every Chinese page takes seconds); gettext compiles translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-wqy-zenhei gettext \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only python manage.py compilemessages -v0 --ignore=.venv \
 && SECRET_KEY=build-only STATIC_MANIFEST=on python manage.py collectstatic --noinput -v0
RUN useradd --create-home portal && mkdir -p /data/media && chown portal /data/media
USER portal
EXPOSE 8000
# Migrations and reference data run once per deploy: docker-compose run --rm web python manage.py migrate
CMD ["gunicorn", "alliance.wsgi:application", "--bind", "0.0.0.0:8000"]

#!/usr/bin/env bash
# Install Kết nghĩa on a fresh Debian 12 machine, as root, from this checkout (docs/deploy.md):
#
#   sudo deploy/install.sh ketnghia.gialai.gov.vn
#
# PostgreSQL, Redis (a bounded cache and the job queue), nginx in front, gunicorn on 127.0.0.1 and
# the job consumer as systemd services; the code in /srv/ketnghia, the settings in
# /etc/ketnghia/env (made once, kept after; settings new versions add are appended), the uploads
# in /srv/ketnghia/media, a backup of both every night in /var/backups/ketnghia (kept 14 days).
# Run it again after `git pull` to update: it installs the new dependencies, migrates, collects
# the static files and restarts gunicorn and the job consumer.
set -euo pipefail

SERVER_NAME=${1:?usage: deploy/install.sh <host name>}
APP_DIR=${APP_DIR:-/srv/ketnghia}
MEDIA_ROOT=${MEDIA_ROOT:-$APP_DIR/media}
STATIC_ROOT=${STATIC_ROOT:-$APP_DIR/staticfiles}
UPSTREAM=127.0.0.1:8000
ENV_FILE=/etc/ketnghia/env
REDIS_MAXMEMORY=${REDIS_MAXMEMORY:-256mb}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/ketnghia}
BACKUP_DAYS=${BACKUP_DAYS:-14}
SOURCE=$(cd "$(dirname "$0")/.." && pwd)

[ "$(id -u)" = 0 ] || { echo "Run as root (sudo)." >&2; exit 1; }

echo "== Debian packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nginx postgresql redis-server python3 python3-venv make gettext rsync \
  curl fonts-liberation2 >/dev/null

echo "== The account and the code"
id ketnghia >/dev/null 2>&1 || adduser --system --group --home "$APP_DIR" --no-create-home ketnghia
mkdir -p "$APP_DIR" "$MEDIA_ROOT" /etc/ketnghia
install -d -m 700 -o ketnghia -g ketnghia "$BACKUP_DIR"
if [ "$SOURCE" != "$APP_DIR" ]; then
  rsync -a --delete --exclude .git --exclude .venv --exclude media --exclude staticfiles \
    --exclude db.sqlite3 "$SOURCE/" "$APP_DIR/"
fi
chown -R ketnghia:ketnghia "$APP_DIR"

echo "== PostgreSQL"
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'ketnghia'\"" | grep -q 1 \
  || su postgres -c "createuser ketnghia"
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'ketnghia'\"" | grep -q 1 \
  || su postgres -c "createdb -O ketnghia ketnghia"

echo "== Redis: the cache (at most $REDIS_MAXMEMORY, least recently used first) and the job queue"
redis_conf=/etc/redis/redis.conf
sed -i '/^# ketnghia$/,/^# \/ketnghia$/d' "$redis_conf"
# volatile-lru: only keys that expire (the cache's) are dropped, never the job queue's.
printf '# ketnghia\nmaxmemory %s\nmaxmemory-policy volatile-lru\n# /ketnghia\n' \
  "$REDIS_MAXMEMORY" >> "$redis_conf"
systemctl restart redis-server

echo "== Settings ($ENV_FILE, made once)"
if [ ! -f "$ENV_FILE" ]; then
  secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
  cat > "$ENV_FILE" <<SETTINGS
SECRET_KEY=$secret
ALLOWED_HOSTS=$SERVER_NAME
CSRF_TRUSTED_ORIGINS=https://$SERVER_NAME
DATABASE_URL=postgres:///ketnghia
CACHE_URL=redis://127.0.0.1:6379/1
MEDIA_ROOT=$MEDIA_ROOT
STATIC_ROOT=$STATIC_ROOT
BEHIND_PROXY=True
TRUSTED_PROXIES=127.0.0.1,::1
HOST=127.0.0.1
PORT=8000
# Uploads in S3-compatible object storage instead of MEDIA_ROOT (docs/deploy.md, several servers):
# MEDIA_S3_BUCKET=  MEDIA_S3_ENDPOINT_URL=  MEDIA_S3_REGION=  MEDIA_S3_ACCESS_KEY=  MEDIA_S3_SECRET_KEY=
SETTINGS
  chmod 640 "$ENV_FILE"
  chgrp ketnghia "$ENV_FILE"
fi
# Settings added by later versions, kept as set where they are.
ensure_setting() { grep -q "^$1=" "$ENV_FILE" || echo "$1=$2" >> "$ENV_FILE"; }
ensure_setting SITE_URL "https://$SERVER_NAME"
ensure_setting HUEY_URL redis://127.0.0.1:6379/2
ensure_setting OPEN_DATA_ACCEL_REDIRECT True

echo "== The application"
as_app() { su ketnghia -s /bin/bash -c "cd '$APP_DIR' && set -a && . '$ENV_FILE' && set +a && $*"; }
as_app "make install"
as_app ".venv/bin/python manage.py migrate --noinput"
as_app ".venv/bin/python manage.py collectstatic --noinput -v0"
as_app ".venv/bin/python manage.py check --deploy --fail-level WARNING"
# The open-data files, made once here; then by the job queue after each change and every night.
[ -f "$MEDIA_ROOT/opendata/agreements.csv" ] \
  || as_app ".venv/bin/python manage.py build_open_data -v0"

echo "== gunicorn and the job queue as services, nginx in front"
render() { python3 "$APP_DIR/deploy/render.py" "$@"; }
for unit in ketnghia.service ketnghia-jobs.service; do
  render "$APP_DIR/deploy/systemd/$unit" APP_DIR="$APP_DIR" MEDIA_ROOT="$MEDIA_ROOT" \
    > "/etc/systemd/system/$unit"
done
for unit in ketnghia-backup.service ketnghia-backup.timer; do
  render "$APP_DIR/deploy/systemd/$unit" APP_DIR="$APP_DIR" BACKUP_DIR="$BACKUP_DIR" \
    BACKUP_DAYS="$BACKUP_DAYS" > "/etc/systemd/system/$unit"
done
site=/etc/nginx/sites-available/ketnghia
if grep -q "managed by Certbot" "$site" 2>/dev/null; then
  # certbot added HTTPS to the site: rewriting it would take HTTPS away.
  echo "Keeping $site (HTTPS added by certbot); compare it with deploy/nginx/ketnghia.conf."
else
  render "$APP_DIR/deploy/nginx/ketnghia.conf" LISTEN=80 SERVER_NAME="$SERVER_NAME" \
    UPSTREAM="$UPSTREAM" STATIC_ROOT="$STATIC_ROOT" MEDIA_ROOT="$MEDIA_ROOT" > "$site"
fi
ln -sf /etc/nginx/sites-available/ketnghia /etc/nginx/sites-enabled/ketnghia
rm -f /etc/nginx/sites-enabled/default
nginx -t
systemctl daemon-reload
systemctl enable --now ketnghia ketnghia-jobs ketnghia-backup.timer
systemctl restart ketnghia ketnghia-jobs
systemctl reload nginx

echo "== Ready?"
for _ in $(seq 1 30); do
  curl -fsS -H "Host: $SERVER_NAME" http://127.0.0.1/healthz >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS -H "Host: $SERVER_NAME" "http://127.0.0.1/readyz?format=json"
echo
echo "Installed. HTTPS: certbot --nginx -d $SERVER_NAME (docs/deploy.md)."

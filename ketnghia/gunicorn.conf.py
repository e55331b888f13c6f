"""gunicorn settings: gunicorn -c ketnghia/gunicorn.conf.py ketnghia.wsgi"""

import multiprocessing
import os

# This machine only, unless told otherwise: nginx in front buffers slow clients and serves the
# files (docs/deploy.md); gunicorn's sync workers must not face the internet.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

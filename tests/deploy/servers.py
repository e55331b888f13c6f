"""What the deployment tests (and bench.deployed) share: the documented deployment (deploy/) on
loopback, nginx in front of gunicorn with these very files, and waiting for it."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from render import render  # noqa: E402 (deploy/ is no package: plain files for install.sh)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s")


def nginx_conf(tmp, site):
    """Debian's /etc/nginx/nginx.conf in brief, its paths in `tmp`, including the site."""
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir()
    return f"""
user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""


def nginx_binary():
    """Debian's nginx (.ci/run installs it): without it, the deployment tests fail."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.fail("nginx is missing: install Debian's nginx (.ci/run does)")
    return nginx


def deployment_env(tmp, **settings):
    """The settings deploy/install.sh writes, for a deployment on loopback whose files are in
    `tmp` (media/, static/), with `settings` on top (the database, the cache, the job queue)."""
    return {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "HTTPS": "False",
        "BEHIND_PROXY": "True",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "True",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "OPEN_DATA_ACCEL_REDIRECT": "True",
        **settings,
    }


def manage(env, *commands):
    """Run each manage.py command (a list of its arguments) with the deployment's settings."""
    for command in commands:
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )


def start(tmp, env, nginx, output=subprocess.DEVNULL):
    """nginx (port returned) in front of gunicorn, with deploy/nginx/ketnghia.conf and
    ketnghia/gunicorn.conf.py, and the job consumer when the settings name a job queue, as the
    ketnghia-jobs service runs it: (port, [the processes])."""
    port = free_port()
    values = {
        "LISTEN": f"127.0.0.1:{port}",
        "SERVER_NAME": "localhost",
        "UPSTREAM": f"127.0.0.1:{env['PORT']}",
        "STATIC_ROOT": env["STATIC_ROOT"],
        "MEDIA_ROOT": env["MEDIA_ROOT"],
    }
    site = tmp / "ketnghia.conf"
    site.write_text(render((ROOT / "deploy" / "nginx" / "ketnghia.conf").read_text(), values))
    main = tmp / "nginx.conf"
    main.write_text(nginx_conf(tmp, site))
    subprocess.run([nginx, "-t", "-c", str(main)], check=True, capture_output=True)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    app = subprocess.Popen(
        [str(gunicorn), "-c", "ketnghia/gunicorn.conf.py", "ketnghia.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=output,
    )
    front = subprocess.Popen([nginx, "-c", str(main)], stderr=subprocess.DEVNULL)
    processes = [front, app]
    if env.get("HUEY_URL"):
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_huey"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=output,
            )
        )
    return port, processes


def stop(processes):
    for process in processes:
        process.terminate()
        process.wait(timeout=60)

"""Settings come from the environment: production values pass the deploy check."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    test_only = {"DEBUG", "SECRET_KEY", "HTTPS", "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_check(**env):
    production = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "ketnghia.example.org"}
    return manage("check", "--deploy", "--fail-level", "WARNING", **{**production, **env})


def test_production_values_pass_the_deploy_check():
    result = deploy_check(STATIC_MANIFEST="True")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_with_a_job_queue_the_site_s_public_address_is_required():
    queue = {"STATIC_MANIFEST": "True", "HUEY_URL": "redis://127.0.0.1:6379/2"}
    result = deploy_check(**queue)
    assert result.returncode != 0
    assert "ketnghia.W001" in result.stdout + result.stderr
    result = deploy_check(**queue, SITE_URL="https://ketnghia.example.org")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_debug_a_secret_key_is_required():
    result = manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_insecure_values_fail_the_deploy_check():
    result = deploy_check(HTTPS="False")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def show_setting(name, **env):
    return manage(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print(settings.{name})",
        DEBUG="1",
        **env,
    )


def test_the_cache_is_redis_that_degrades_when_the_url_says_redis():
    result = show_setting('CACHES["default"]["BACKEND"]', CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.stdout.strip() == "ketnghia.cache.ResilientRedisCache"


def test_thumbnails_keep_their_keys_in_the_database_behind_the_cache():
    result = show_setting("THUMBNAIL_KVSTORE", CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.stdout.strip() == "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"


def test_gunicorn_listens_on_this_machine_only_by_default(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    found = runpy.run_path(str(Path(__file__).parents[2] / "ketnghia" / "gunicorn.conf.py"))
    assert found["bind"] == "127.0.0.1:8000"


def test_postgresql_connections_come_from_django_s_pool():
    url = "postgres://ketnghia@127.0.0.1:5432/ketnghia"
    result = show_setting('DATABASES["default"]["OPTIONS"]["pool"]', DATABASE_URL=url)
    assert result.stdout.strip() == "{'min_size': 1, 'max_size': 8, 'timeout': 5}", result.stderr
    result = show_setting('DATABASES["default"]["CONN_MAX_AGE"]', DATABASE_URL=url)
    assert result.stdout.strip() == "0"  # the pool keeps them: Django refuses both


def test_a_replica_gets_its_own_alias_mirrored_in_tests():
    urls = {
        "DATABASE_URL": "postgres://ketnghia@127.0.0.1:5432/ketnghia",
        "DATABASE_REPLICA_URL": "postgres://ketnghia@127.0.0.1:5433/ketnghia",
    }
    result = show_setting('DATABASES["replica"]["PORT"]', **urls)
    assert result.stdout.strip() == "5433", result.stderr
    result = show_setting('DATABASES["replica"]["TEST"]["MIRROR"]', **urls)
    assert result.stdout.strip() == "default", result.stderr

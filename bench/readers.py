"""The signed-in readers `make bench` measures, made in the bench database; run inside Django:

    python manage.py shell -v 0 -c "from bench import readers; readers.main('xa-ia-dok')"

prints one line, READERS {json}: for each reader, the session cookie its requests carry.

Two staff accounts of the leaders' group, made or brought back to this state on every run: a
commune leader whose remit is the given commune (localities.StaffLocality), and a province
officer holding ``localities.whole_province``. Neither has a usable password: their sessions are
written directly by the session engine, as a login would write them, so the login throttle
(django-axes) never sees an attempt. A session holds the hash of the account's password and is
signed with SECRET_KEY: it is valid for the server started with the same settings only.
"""

import json
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.urls import reverse

from localities.models import Locality, StaffLocality

PREFIX = "READERS "
# The leaders' group, as activities/migrations/0006_roles.py names it.
LEADERS = "Lãnh đạo"
BACKEND = "ketnghia.permissions.CachedPermissionsBackend"
SESSION_SECONDS = 6 * 3600  # longer than a run; an old run's sessions are cleared by the next

# key: (username, name shown in the tables, province-wide)
READERS = {
    "commune_leader": ("bench-lanh-dao-xa", "commune leader", False),
    "province_officer": ("bench-can-bo-tinh", "province officer", True),
}
ANONYMOUS = "anonymous"


def label(reader):
    """The name a reader key is shown under: "" (nobody signed in) is the anonymous reader."""
    return READERS[reader][1] if reader else ANONYMOUS


def cookie_header(session_key):
    """The Cookie header that carries a session."""
    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


@transaction.atomic
def ensure(commune):
    """The two readers' accounts as described above, whatever an earlier run left: {key: user}."""
    whole_province = Permission.objects.get(
        content_type__app_label="localities", codename="whole_province"
    )
    leaders = Group.objects.get(name=LEADERS)
    users = {}
    for key, (username, name, province_wide) in READERS.items():
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": "make bench", "last_name": name},
        )
        if created:
            user.set_unusable_password()
        user.is_active, user.is_staff, user.is_superuser = True, True, False
        user.save()
        user.groups.set([leaders])
        user.user_permissions.set([whole_province] if province_wide else [])
        remits = StaffLocality.objects.filter(user=user)
        if province_wide:
            remits.delete()
        else:
            remits.exclude(locality=commune).delete()
            StaffLocality.objects.get_or_create(user=user, locality=commune)
        users[key] = user
    return users


def open_session(user):
    """A new session signed in as `user`, as django.contrib.auth.login writes it: its key."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(SESSION_SECONDS)
    session.create()
    return session.session_key


def main(commune_slug):
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    commune = Locality.objects.get(slug=commune_slug)
    users = ensure(commune)
    print(
        PREFIX
        + json.dumps(
            {
                "readers": {
                    key: {
                        "label": label(key),
                        "username": user.get_username(),
                        "cookie": cookie_header(open_session(user)),
                    }
                    for key, user in users.items()
                },
                # Answers 200 to staff signed in, a redirect to the login page otherwise.
                "check_path": reverse("admin:index"),
            },
            ensure_ascii=False,
        )
    )

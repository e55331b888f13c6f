"""The account's permissions, kept in the shared cache between requests.

Django's ModelBackend reads an account's permissions from the database on every request that
checks one (two queries, and a set made of every row): every admin page, before anything else
(issue 16: the admin's pages at national scale). CachedPermissionsBackend keeps that set in the
cache under a version that any change to who may do what replaces: an account's groups or own
permissions, a group's permissions, a group, a permission or an account saved or deleted (a
login's last_login excepted), and every migration (which may add permissions without a signal).
A set written under an older version is never read; while the cache fails, every request reads
the database, as Django does.
"""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

VERSION_KEY = "permissions:version"
SECONDS = 3600


def _key(user):
    return f"permissions:{user.pk}"


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend, its permission sets kept in the cache (see the module's docstring)."""

    def get_all_permissions(self, user_obj, obj=None):
        if (
            obj is not None
            or not user_obj.is_active
            or user_obj.is_anonymous
            or hasattr(user_obj, "_perm_cache")
        ):
            return super().get_all_permissions(user_obj, obj)
        found = cache.get_many([VERSION_KEY, _key(user_obj)])
        version = found.get(VERSION_KEY)
        kept = found.get(_key(user_obj))
        if kept is not None and version is not None and kept[0] == (version, user_obj.is_superuser):
            user_obj._user_perm_cache, user_obj._group_perm_cache = kept[1], kept[2]
            user_obj._perm_cache = kept[1] | kept[2]
            return user_obj._perm_cache
        if version is None:
            version = changed()
        permissions = super().get_all_permissions(user_obj)
        cache.set(
            _key(user_obj),
            (
                (version, user_obj.is_superuser),
                user_obj._user_perm_cache,
                user_obj._group_perm_cache,
            ),
            SECONDS,
        )
        return permissions


def changed(**kwargs):
    """A new version: every permission set kept so far is read again from the database."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    return version


def _saved(sender, update_fields=None, **kwargs):
    if sender is get_user_model() and update_fields and set(update_fields) == {"last_login"}:
        return
    changed()


def connect():
    user = get_user_model()
    for model in (user, Group, Permission):
        post_save.connect(_saved, sender=model, dispatch_uid=f"permissions-saved-{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"permissions-deleted-{model}")
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"permissions-m2m-{through}")
    post_migrate.connect(changed, dispatch_uid="permissions-migrated")

"""The account's permissions, kept in the shared cache between requests.

Django's ModelBackend reads an account's permissions from the database on every request that
checks one (two queries, and a set made of every row): every admin page, before anything else
(issue 16: the admin's pages at national scale). CachedPermissionsBackend keeps that set in the
shared cache (Redis) under a version that any change to who may do what replaces:

- an account's groups or own permissions, a group's permissions (changed through the relation:
  add, remove, set, clear), a group, a permission, a content type or an account saved or
  deleted (a login's last_login excepted), and every migration;
- the version is replaced at once and again when the transaction commits: a request between
  the two, which could read the permissions of before the change, keeps them under a version
  that is gone by the time the change is visible;
- a replacement the cache did not take (Redis out of reach) is owed, and made before this
  process reads a kept set again; a process that sees Redis answer again after an outage owes
  one too (ketnghia.cache.answers_again).

A write that sends no signal calls changed(): QuerySet.update of accounts or permissions, SQL,
and any write to the relations' own tables (Django sends no signal for their rows).
A set written under an older version is never read. Without a shared cache (LocMem, in
development and in tests; PERMISSION_CACHE_SECONDS = 0), every request reads the database, as
Django does: a change made through one process would not reach the others' memory.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

VERSION_KEY = "permissions:version"


def _key(user):
    return f"permissions:{user.pk}"


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend, its permission sets kept in the cache (see the module's docstring)."""

    def get_all_permissions(self, user_obj, obj=None):
        seconds = settings.PERMISSION_CACHE_SECONDS
        if (
            not seconds
            or obj is not None
            or not user_obj.is_active
            or user_obj.is_anonymous
            or hasattr(user_obj, "_perm_cache")
        ):
            return super().get_all_permissions(user_obj, obj)
        if _owed and not _replace():
            return super().get_all_permissions(user_obj, obj)
        found = cache.get_many([VERSION_KEY, _key(user_obj)])
        version = found.get(VERSION_KEY)
        kept = found.get(_key(user_obj))
        if kept is not None and version is not None and kept[0] == (version, user_obj.is_superuser):
            user_obj._user_perm_cache, user_obj._group_perm_cache = kept[1], kept[2]
            user_obj._perm_cache = kept[1] | kept[2]
            return user_obj._perm_cache
        permissions = super().get_all_permissions(user_obj)
        if version is not None:
            # Kept only under a version read before the database was: one replaced since (a
            # change made meanwhile) makes this set unread.
            cache.set(
                _key(user_obj),
                (
                    (version, user_obj.is_superuser),
                    user_obj._user_perm_cache,
                    user_obj._group_perm_cache,
                ),
                seconds,
            )
        else:
            _replace()
        return permissions


# True when this process owes a new version (see the module's docstring).
_owed = False


def _replace():
    """A new version; True when the cache took it."""
    global _owed
    failed = cache.set_many({VERSION_KEY: uuid.uuid4().hex}, timeout=None)
    _owed = bool(failed)
    return not _owed


def changed(using=None, **kwargs):
    """Every kept permission set is read again from the database: at once, and again when the
    transaction commits. Call it after a write of permissions that sends no signal."""
    _replace()
    transaction.on_commit(_replace, using=using)


def _saved(sender, update_fields=None, using=None, **kwargs):
    if sender is get_user_model() and update_fields and set(update_fields) == {"last_login"}:
        return
    changed(using=using)


def _answers_again(**kwargs):
    global _owed
    _owed = True


def connect():
    from ketnghia import cache as resilient

    user = get_user_model()
    throughs = (user.groups.through, user.user_permissions.through, Group.permissions.through)
    for model in (user, Group, Permission, ContentType):
        uid = f"{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=f"permissions-saved-{uid}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"permissions-deleted-{uid}")
    for through in throughs:
        m2m_changed.connect(
            changed, sender=through, dispatch_uid=f"permissions-m2m-{through._meta.label}"
        )
    post_migrate.connect(changed, dispatch_uid="permissions-migrated")
    resilient.answers_again.connect(_answers_again, dispatch_uid="permissions-back")

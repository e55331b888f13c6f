"""What a staff account may see and edit: the province, or the localities in its remit.

A scope is read once per request and kept on the user object. Province staff (superusers and
holders of ``localities.whole_province``) have the whole province. Others have the localities
of their ``StaffLocality`` rows with the units below them, down to villages (through the former
districts): a commune's remit covers its villages, a province's its communes and their
villages. An account with no remit has an empty scope: it sees no agreement, which is the safe
default for a new account.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q

from localities import tree
from localities.models import Locality, StaffLocality


@dataclass(frozen=True)
class Scope:
    roots: frozenset[int] | None  # None: the whole province

    @property
    def is_whole(self):
        return self.roots is None

    def localities(self, field="pk"):
        """A Q over ``field`` (a locality or a path to one) matching the localities in scope."""
        if self.is_whole:
            return Q()
        return tree.in_or_below(self.roots, field)

    def covers(self, locality):
        """Whether a locality is in scope (one query, none for province staff)."""
        if self.is_whole:
            return True
        if locality is None or locality.pk is None:
            return False
        return Locality.objects.filter(self.localities(), pk=locality.pk).exists()


WHOLE = Scope(None)


def _whole_province(user):
    """user.has_perm("localities.whole_province") for an active account: from its permissions
    when they are loaded, or kept in the shared cache (settings.PERMISSION_CACHE_SECONDS,
    ketnghia.permissions: one read of the cache, no query); else in one query (has_perm would
    read them all, in two)."""
    if hasattr(user, "_perm_cache") or getattr(settings, "PERMISSION_CACHE_SECONDS", 0):
        return user.has_perm("localities.whole_province")
    granted = Permission.objects.filter(
        Q(user=user) | Q(group__user=user),
        content_type__app_label="localities",
        codename="whole_province",
    )
    return granted.exists()


def scope_of(user):
    """The scope of an account, read once per request (kept on the user object)."""
    cached = getattr(user, "_ketnghia_scope", None)
    if cached is not None:
        return cached
    if not user.is_active or not user.is_authenticated:
        scope = Scope(frozenset())
    elif user.is_superuser or _whole_province(user):
        scope = WHOLE
    else:
        scope = Scope(
            frozenset(StaffLocality.objects.filter(user=user).values_list("locality", flat=True))
        )
    user._ketnghia_scope = scope
    return scope

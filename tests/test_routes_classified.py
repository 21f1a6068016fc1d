"""Every URL name is either a personal-data route (audited on read, refusals recorded as
``denied``) or says why it holds no personal data (``registry.access``): a new route in neither
fails here, so it cannot ship unaudited by omission."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from registry import access

# The public website serves published content and the citizen's own preferences (by a code sent
# to their phone); the admin is audited by its own site (registry/admin_site.py).
OUTSIDE = ("public-",)


def names(patterns=None, namespace: str = "") -> set[str]:
    found: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            found |= names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.add(pattern.name)
    return found


def test_every_route_is_classified() -> None:
    routes = {n for n in names() if not n.startswith(OUTSIDE)}
    unclassified = routes - access.PERSONAL_DATA_ROUTES - set(access.NO_PERSONAL_DATA_ROUTES)
    assert not unclassified, f"classify in registry/access.py: {sorted(unclassified)}"
    stale = (access.PERSONAL_DATA_ROUTES | set(access.NO_PERSONAL_DATA_ROUTES)) - routes
    assert not stale, f"no such route: {sorted(stale)}"
    assert not access.PERSONAL_DATA_ROUTES & set(access.NO_PERSONAL_DATA_ROUTES)

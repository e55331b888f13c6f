"""Shared by the site's tests."""

import pytest

from tests import factories


@pytest.fixture
def agreement():
    """A published agreement between Xã Ia Dơk and Phường An Nhơn Bắc."""
    return factories.agreement(
        factories.locality("Xã Ia Dơk"),
        factories.locality("Phường An Nhơn Bắc", kind="ward"),
        title="Giao ước Ia Dơk – An Nhơn Bắc",
        published=True,
    )

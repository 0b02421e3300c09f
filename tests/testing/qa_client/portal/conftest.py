"""A portal team's conftest: nothing but the mock-ohid pytest plugin's own fixtures."""

import pytest

PORTAL = {
    "client_id": "optum-connect-claims-online",
    "redirect_uri": "http://localhost:5001/callback",
}
SECRET = "claims-online-demo-secret"


@pytest.fixture
def portal():
    return dict(PORTAL)

"""The pytest plugin and QA client as a portal team would use them after `pip install`."""

from __future__ import annotations

import pytest

from idp.testing import QAClient, QAError
from tests.live import free_port

PORTAL_TEST = """
import requests

def test_portal_team_can_create_a_user_and_read_discovery(mock_ohid):
    user = mock_ohid.qa.create_user(username="portal.tester", email="pt@example.com",
                                    password="Password1", email_verified=True)
    assert user["username"] == "portal.tester"
    meta = requests.get(mock_ohid.discovery_url, timeout=5).json()
    assert meta["issuer"] == mock_ohid.issuer and mock_ohid.issuer.startswith("http://localhost:")

def test_each_test_gets_an_empty_database(mock_ohid):
    import pytest
    from idp.testing import QAError
    with pytest.raises(QAError) as info:
        mock_ohid.qa.user("portal.tester")
    assert info.value.status == 404
"""


def test_plugin_fixture_from_a_separate_test_file(pytester):
    pytester.makepyfile(test_portal=PORTAL_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)


def test_qa_client_against_the_plugin_server(mock_ohid):
    qa: QAClient = mock_ohid.qa
    qa.create_user(username="qa.client1", email="qc@example.com", password="Password1")
    assert qa.update_user("qa.client1", locked=True)["locked"] is True
    assert qa.advance_clock("31m")["moved"] is True
    assert qa.user("qa.client1")["locked"] is False
    assert qa.reset_clock()["moved"] is False
    assert [e["kind"] for e in qa.events(user="qa.client1")][-1] == "account_created"
    with pytest.raises(QAError) as info:
        qa.latest(channel="sms")
    assert info.value.status == 404 and info.value.error == "not_found"
    qa.delete_user("qa.client1")
    assert qa.reset()["reset"] is True


CHOSEN_PORT_TEST = """
import pytest
import requests

@pytest.mark.parametrize("mock_ohid_port", [{port}])
def test_the_port_is_chosen_by_fixture_parameter(mock_ohid):
    assert mock_ohid.port == {port} and mock_ohid.issuer == "http://localhost:{port}"
    meta = requests.get(mock_ohid.discovery_url, timeout=10).json()
    assert meta["issuer"] == "http://localhost:{port}"
    assert meta["token_endpoint"] == "http://localhost:{port}/token"

class TestBySetting:
    @pytest.fixture
    def mock_ohid_settings(self):
        return {{"server.port": {other}}}

    def test_the_port_is_chosen_by_setting(self, mock_ohid):
        assert mock_ohid.port == {other}
        meta = requests.get(mock_ohid.discovery_url, timeout=10).json()
        assert meta["issuer"] == "http://localhost:{other}"
"""


def test_plugin_port_is_choosable_and_the_issuer_follows_it(pytester):
    port, other = free_port(), free_port()
    pytester.makepyfile(test_port=CHOSEN_PORT_TEST.format(port=port, other=other))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)


def test_plugin_default_port_is_a_free_one_advertised_as_bound(mock_ohid):
    assert mock_ohid.port != 0
    assert mock_ohid.issuer == f"http://localhost:{mock_ohid.port}"

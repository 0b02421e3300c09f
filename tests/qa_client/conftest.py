# The portal's suite runs in its own directory (tests/qa_client/test_portal_suite.py), not here.
collect_ignore = ["portal"]

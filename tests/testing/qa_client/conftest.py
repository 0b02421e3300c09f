# The portal's suite runs in its own directory (see test_portal_suite.py), not here.
collect_ignore = ["portal"]

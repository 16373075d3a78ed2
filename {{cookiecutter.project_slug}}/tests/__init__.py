"""The test suite; its fixtures are in conftest.py."""

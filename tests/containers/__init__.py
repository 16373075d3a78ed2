"""A Docker engine for the template's suite, and the registry images it builds locally.

The generated Dockerfile and compose.yaml are built and run for real by
tests/test_containers.py. No registry is reachable where the suite runs, so the images
they name (``python:X-slim``, ``redis:7-alpine``, ``mher/flower:2.0``) are made here
from Debian's packages and this machine's Python builds: see engine.py and images/.
"""

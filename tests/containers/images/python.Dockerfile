# Stands in for the registry's python:X-slim: Debian 12 with one of this machine's
# Python builds in /usr/local, where the official image has its own.
FROM bgtasks-template-test/debian:bookworm
ARG PYTHON
COPY python/ /usr/local/
# The machine's certificate authorities, so that pip and uv reach the package index
# as the host does (as users behind a TLS-inspecting proxy set it up).
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
RUN ldconfig \
    && ln -s "python${PYTHON}" /usr/local/bin/python3 \
    && ln -s python3 /usr/local/bin/python \
    && python -m ensurepip --default-pip
CMD ["python3"]

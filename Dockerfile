# mock-ohid as a container image. Build (Docker or Podman; --format docker keeps HEALTHCHECK):
#   podman build --format docker -t mock-ohid .
#   docker build -t mock-ohid .
# Dockerfile is this same file.
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
# A proxy's certificate authority for pip, used by this step only (a build argument is
# not kept in the image's environment). Empty: pip's own trust store.
ARG PIP_CERT=
RUN if [ -n "$PIP_CERT" ]; then export PIP_CERT; else unset PIP_CERT; fi \
 && python3 -m venv /tmp/builder \
 && /tmp/builder/bin/pip install --quiet --disable-pip-version-check build \
 && /tmp/builder/bin/python -m build --wheel --outdir /wheels /src \
 && python3 -m venv /opt/mock-ohid \
 && /opt/mock-ohid/bin/pip install --quiet --disable-pip-version-check --no-cache-dir \
      "$(ls /wheels/mock_ohid-*.whl)[postgres]" \
 && cd / && /opt/mock-ohid/bin/python /src/container/check_installed_packages.py /src \
 && /opt/mock-ohid/bin/mock-ohid --help >/dev/null \
 && /opt/mock-ohid/bin/pip uninstall --quiet --yes pip setuptools

FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin ohid \
 && mkdir -p /data/instance /data/keys \
 && chown -R ohid:ohid /data
COPY --from=build /opt/mock-ohid /opt/mock-ohid
ENV PATH=/opt/mock-ohid/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MOCK_OHID_SERVER_HOST=0.0.0.0 \
    MOCK_OHID_SERVER_PORT=8765
WORKDIR /data
USER ohid
# The SQLite database (instance/) and the signing keys and cookie secret (keys/).
VOLUME ["/data/instance", "/data/keys"]
EXPOSE 8765
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('MOCK_OHID_SERVER_PORT', '8765'), timeout=4)"]
# tini forwards podman/docker stop's SIGTERM to mock-ohid and reaps its children.
ENTRYPOINT ["/usr/bin/tini", "--", "mock-ohid"]
CMD ["serve"]

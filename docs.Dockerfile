# Live preview of the site without installing Python or Node.js:
#
#   docker compose up          # then open http://127.0.0.1:8000
#
# compose.yaml builds this image and bind-mounts your working tree at /src, so
# `mkdocs serve` rebuilds the page you save. The image holds the tools only:
# the locked Python packages and the browser assets (mermaid.js, ...).
#
# Behind a proxy that re-signs HTTPS (many company networks), pip and npm do
# not trust its certificate. Then pass your CA bundle as a build secret; it is
# mounted only while packages download and never stored in a layer:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -f docs.Dockerfile -t docker-basics-docs .
# Without the secret nothing changes.

# --- Stage 1: the browser assets from the locked npm packages ---
FROM node:24-slim AS assets
WORKDIR /src
# Lock files first: this layer is rebuilt only when they change.
COPY package.json package-lock.json ./
# Install the locked packages (no dev tools such as axe-core, no install scripts).
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- Stage 2: Python, MkDocs and the vendored assets ---
FROM python:3.13-slim
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 NO_MKDOCS_2_WARNING=1 PYTHONDONTWRITEBYTECODE=1
# A virtual environment keeps the site's packages apart from the image's own.
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /opt/docs
# Install the locked, hash-checked packages (the same lock as `make deps`).
COPY requirements-site.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && pip install --require-hashes -r requirements-site.txt
# Copy mermaid.js and the other assets into docs/assets/vendor/ with the
# project's own command; the container copies them into your tree at start.
# The helpers last: a change to scripts/ then rebuilds only these two small steps.
COPY --from=assets /src/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN PYTHONPATH=scripts python -m course vendor
# Run as an unprivileged user; compose.yaml sets your uid:gid instead, so
# that files written into the bind mount belong to you.
USER 10001:10001
WORKDIR /src
# mkdocs.yml's diagram formatter (course.diagrams) lives in the mounted tree's scripts/.
ENV PYTHONPATH=/src/scripts
EXPOSE 8000
# Put the assets in place (git ignores them), then serve with live reload on
# all interfaces of the container (compose publishes it on 127.0.0.1 only).
ENTRYPOINT ["sh", "-c", "mkdir -p docs/assets/vendor && cp -R /opt/docs/docs/assets/vendor/. docs/assets/vendor/ && exec \"$@\"", "serve"]
CMD ["mkdocs", "serve", "--livereload", "--dev-addr", "0.0.0.0:8000"]

# Docker Basics as a container image: build the course site, then serve it
# with nginx as an unprivileged user.
#
#   docker build -t docker-basics .
#   docker run --rm -p 8080:8080 docker-basics     # open http://localhost:8080
#
# Behind a proxy that re-signs TLS (many company networks), pip and npm in the
# build do not trust the proxy's certificate. Then pass your CA bundle as a
# build secret: it is mounted only while a RUN step downloads packages and is
# never stored in a layer. Without the secret nothing changes.
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t docker-basics .

# --- Stage 1: the browser libraries the site serves itself (mermaid.js, ...) ---
FROM node:24-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- Stage 2: build the site with the locked Python packages ---
FROM python:3.13-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 NO_MKDOCS_2_WARNING=1 PYTHONPATH=/src/scripts
# A virtual environment keeps the site's packages apart from the image's own.
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY requirements-site.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && pip install --require-hashes -r requirements-site.txt
# The browser libraries before the sources (.dockerignore leaves node_modules
# out of the context): an edited page then rebuilds only the steps below.
COPY --from=assets /src/node_modules ./node_modules
COPY . .
# The address the site is published at (canonical links, the 404 page).
ARG SITE_URL=http://localhost:8080/
# Build strictly, then list the hashes of the site's inline scripts for the
# Content-Security-Policy header (nginx/security-headers.conf includes it).
RUN python -m course vendor \
 && python -m mkdocs build --strict --site-dir /site \
 && python -m course csp /site > /csp.conf

# --- Stage 3: serve the files with nginx, not as root ---
FROM nginx:1.26
COPY nginx/nginx.conf /etc/nginx/nginx.conf
COPY nginx/default.conf /etc/nginx/conf.d/default.conf
COPY nginx/security-headers.conf /etc/nginx/security-headers.conf
COPY --from=build /csp.conf /etc/nginx/csp.conf
COPY --from=build /site /usr/share/nginx/html
# The base image's unprivileged user nginx, by number (uid:gid) so that
# `docker run` and Kubernetes can tell it is not root. It can read the site but
# not change it; port 8080 is above 1024, so listening needs no root.
USER 101:101
EXPOSE 8080
# Healthy while nginx answers with the home page (curl fails on an HTTP error).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["curl", "--fail", "--silent", "--show-error", "--output", "/dev/null", "http://127.0.0.1:8080/"]

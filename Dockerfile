# syntax=docker/dockerfile:1
#
# One image with the four services (registry, issuance, transfer, reporting) and the `recs` client.
#
#   docker build -t recs .
#   docker-compose up            # docker-compose.yml runs each service from this image
#
# Build stage: the official Swift image on Debian 12 (Package.swift needs tools version 6.2 or later;
# SWIFT_IMAGE overrides the tag). Runtime stage: debian:bookworm-slim with the C libraries the
# services link (nghttp2, protobuf-c, SQLite, libpq), the Swift runtime copied from the build image,
# and openssl for make-deployment-certs.sh (docker-compose.yml's `tls` service runs it to make the
# deployment's CA and the services' certificates in /tls).

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build

RUN apt-get update \
    && apt-get install -y --no-install-recommends libnghttp2-dev libprotobuf-c-dev libsqlite3-dev libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Only what Package.swift builds (its test targets included: the manifest names their directories),
# so the context's .build, .venv and data never reach the image. Package.resolved is not in git;
# when the checkout has one it pins the dependencies (the glob lets the copy succeed without it).
COPY Package.swift Package.resolve[d] ./
COPY Shared Shared
COPY Services Services
COPY Tools Tools
COPY Tests Tests

RUN set -e; \
    products="registry issuance transfer reporting recs"; \
    for product in $products; do swift build -c release --product "$product"; done; \
    bin="$(swift build -c release --show-bin-path)"; \
    mkdir -p /staging/bin /staging/swift; \
    for product in $products; do cp "$bin/$product" /staging/bin/; done; \
    cp /usr/lib/swift/linux/*.so /staging/swift/

FROM ${RUNTIME_IMAGE}

RUN apt-get update \
    && apt-get install -y --no-install-recommends libnghttp2-14 libprotobuf-c1 libsqlite3-0 libpq5 libstdc++6 ca-certificates tzdata openssl \
    && rm -rf /var/lib/apt/lists/*

# The executables' run path names /usr/lib/swift/linux (where the Swift image installs the
# runtime); ld.so.conf covers binaries built with a toolchain installed elsewhere.
COPY --from=build /staging/swift/ /usr/lib/swift/linux/
RUN echo /usr/lib/swift/linux > /etc/ld.so.conf.d/swift.conf && ldconfig

COPY --from=build /staging/bin/ /usr/local/bin/
# From the build context (the build stage copies only what Package.swift builds).
COPY scripts/make-deployment-certs.sh /usr/local/bin/
COPY scripts/lib/certs.sh /usr/local/bin/lib/

# Unprivileged; SQLite data (when no database URL is given) and the administrator's API key go to
# /var/lib/recs. /tls belongs to recs: a new named volume mounted there takes its owner from the
# image's directory, so make-deployment-certs.sh can write the certificates into it as recs.
RUN groupadd --system recs \
    && useradd --system --gid recs --home-dir /var/lib/recs --create-home --shell /usr/sbin/nologin recs \
    && install -d -o recs -g recs -m 755 /tls \
    && chmod 755 /usr/local/bin/make-deployment-certs.sh
USER recs:recs
WORKDIR /var/lib/recs
ENV RECS_DATA_DIR=/var/lib/recs

EXPOSE 50061-50064

# docker-compose.yml names the service to run; `docker run recs registry --help` works too.
CMD ["recs", "--help"]

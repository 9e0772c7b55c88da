# syntax=docker/dockerfile:1
#
# Multi-stage build for jobboard. Needs BuildKit (default in current Docker).
# Templates, assets, migrations and locales are embedded in the binary at
# compile time, so the runtime image holds only the binary.

# ---- build -----------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /app

# Never reach for a live database while compiling sqlx macros.
ENV SQLX_OFFLINE=true

COPY Cargo.toml Cargo.lock ./
COPY src/ src/
COPY migrations/ migrations/
COPY templates/ templates/
COPY assets/ assets/
COPY locales/ locales/

# target/ lives in a cache mount that is not part of the image layer,
# so copy the binary out of it in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/app/target \
    cargo build --release --locked \
    && install -m 0755 target/release/jobboard /usr/local/bin/jobboard

# ---- runtime ---------------------------------------------------------------
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user; its home is the data directory (search index, local state).
RUN groupadd --system --gid 10001 jobboard \
    && useradd --system --uid 10001 --gid jobboard \
       --home-dir /var/lib/jobboard --no-create-home --shell /usr/sbin/nologin jobboard \
    && install -d -o jobboard -g jobboard -m 0750 /var/lib/jobboard

COPY --from=builder /usr/local/bin/jobboard /usr/local/bin/jobboard

ENV JOBBOARD_ADDR=0.0.0.0:8080 \
    JOBBOARD_DATA_DIR=/var/lib/jobboard

WORKDIR /var/lib/jobboard
# Numeric so that orchestrators enforcing runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8080

# No HEALTHCHECK: the slim image has no curl; compose checks health via the db.
ENTRYPOINT ["jobboard"]
CMD ["serve"]

# One image for every Tidewater service; the command picks the service (see deploy/ and docker-compose.yml).
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared ./shared
COPY services ./services
COPY test/harness/package.json ./test/harness/package.json
RUN npm install --omit=dev --no-audit --no-fund
# Writable directories for the non-root user; Docker copies their ownership into the named volumes
# docker-compose.yml mounts there (renderer cache, audit log, API state).
RUN mkdir -p /var/cache/tidewater /var/lib/tidewater/audit /var/lib/tidewater/state && chown -R 10001:10001 /var/cache/tidewater /var/lib/tidewater
ENV HOME=/tmp
USER 10001
CMD ["node", "services/tide/src/main.ts", "all"]

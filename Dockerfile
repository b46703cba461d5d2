# syntax=docker/dockerfile:1
# One image for every Tidewater service; the command picks the service (deploy/helm/tidewater, docker-compose.yml):
#   node services/<gateway|renderer|syncer|notifier|auditor|api|promoter>/src/main.ts    or    node services/tide/src/main.ts all
# Node 24 runs the TypeScript sources directly (type stripping), so there is no compile step.
# Build with scripts/build-image (Docker, or podman/buildah where there is no Docker engine); the base images are
# build arguments so a machine that cannot pull them can supply its own (scripts/build-image --local-base).
ARG NODE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim
ARG GO_IMAGE=docker.io/library/golang:1.26-bookworm

# ---- helm and kustomize, built from their Go modules at the versions the tests use (test/cluster/versions.env);
# helm's version is stamped in as its release builds do (`helm version` says v3.19.0, not v3.19)
FROM ${GO_IMAGE} AS tools
ARG HELM_VERSION=v3.19.0
ARG KUSTOMIZE_VERSION=v5.8.0
ARG GOPROXY GOSUMDB GONOSUMDB GOPRIVATE
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
RUN --mount=type=cache,target=/root/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOBIN=/out go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" \
 && GOBIN=/out go install -trimpath -ldflags '-s -w' "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}" \
 && /out/helm version --short && /out/kustomize version

# ---- the workspaces' package.json files alone, so a source change does not re-run npm ci below
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY shared ./shared
COPY services ./services
RUN mkdir /out && find shared services -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /out/ \;

# ---- production dependencies only: the test harness workspace (test/) is not copied, dev dependencies are omitted
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --ignore-scripts

# ---- the runtime image
FROM ${NODE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/*
COPY --from=tools /out/helm /out/kustomize /usr/local/bin/
# A non-root user with a home (git and helm write config and caches under $HOME).
RUN groupadd --gid 10001 tidewater && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/tidewater --shell /usr/sbin/nologin tidewater \
 && mkdir -p /var/cache/tidewater/renderer /var/cache/tidewater/promoter /var/lib/tidewater/audit /var/lib/tidewater/state \
 && chown -R 10001:10001 /var/cache/tidewater /var/lib/tidewater
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY shared ./shared
COPY services ./services
ENV NODE_ENV=production HOME=/home/tidewater \
    TIDEWATER_CACHE_DIR=/var/cache/tidewater/renderer TIDEWATER_PROMOTER_CACHE_DIR=/var/cache/tidewater/promoter \
    TIDEWATER_AUDIT_DIR=/var/lib/tidewater/audit TIDEWATER_STATE_DIR=/var/lib/tidewater/state \
    TIDEWATER_HELM=/usr/local/bin/helm TIDEWATER_KUSTOMIZE=/usr/local/bin/kustomize
# Render and clone caches, the audit log and the API's state: writable by the non-root user, kept on volumes.
VOLUME ["/var/cache/tidewater", "/var/lib/tidewater"]
USER 10001:10001
EXPOSE 8080 8081 8083 9464
CMD ["node", "services/tide/src/main.ts", "all"]

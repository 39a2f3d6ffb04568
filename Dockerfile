# syntax=docker/dockerfile:1
# One image for every hub service; the command chooses which one runs:
#   docker run … macao-event-hub node services/gateway/dist/src/main.js
#   (ingest, correlator, gateway, alerts; migrations: node infra/dist/src/db-migrate.js)
# infra/deploy/compose.yaml and infra/deploy/k8s/ use it that way; docs/deploy.md explains both.
# The build stage has the dev dependencies (TypeScript, Vite); the runtime stage only the services' production
# dependencies, their compiled code and the files they read at run time.
ARG NODE_IMAGE=node:22-bookworm-slim

# The lockfile and every workspace's package.json: what both installs below start from.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY contracts/package.json contracts/
COPY services/common/package.json services/common/
COPY services/ingest/package.json services/ingest/
COPY services/correlator/package.json services/correlator/
COPY services/gateway/package.json services/gateway/
COPY services/alerts/package.json services/alerts/
COPY services/simulator/package.json services/simulator/
COPY infra/package.json infra/
COPY web/package.json web/

FROM manifests AS build
# Install scripts stay disabled, as in infra/bin/ensure-deps.sh (package.json "allowScripts").
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx tsc -b && npm run build -w web

FROM manifests AS production-deps
# Only the workspaces the image runs: not web (built into static files), infra (the embedded development
# database and broker launcher) or the simulator. db-migrate.js needs only @hub/common.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      -w proto -w contracts -w services/common -w services/ingest -w services/correlator \
      -w services/gateway -w services/alerts \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HUB_MODE=production
WORKDIR /app
COPY --from=production-deps /app/node_modules node_modules
COPY package.json ./
# Each workspace: its package.json (the "exports" that @hub/* imports resolve through) and its compiled code.
COPY --from=build /app/proto/package.json proto/
COPY --from=build /app/proto/dist proto/dist
# The .proto files: ingest serves gRPC server reflection from them (@grpc/proto-loader, at start-up).
COPY --from=build /app/proto/hub proto/hub
COPY --from=build /app/contracts/package.json contracts/
COPY --from=build /app/contracts/dist contracts/dist
COPY --from=build /app/services/common/package.json services/common/
COPY --from=build /app/services/common/dist services/common/dist
# Read at run time: the migrations (every service checks them; db-migrate applies them) and the land outline.
COPY --from=build /app/services/common/migrations services/common/migrations
COPY --from=build /app/services/common/data services/common/data
COPY --from=build /app/services/ingest/package.json services/ingest/
COPY --from=build /app/services/ingest/dist services/ingest/dist
COPY --from=build /app/services/correlator/package.json services/correlator/
COPY --from=build /app/services/correlator/dist services/correlator/dist
# The shipped correlation rules (CORRELATOR_RULES_FILE points elsewhere to replace them).
COPY --from=build /app/services/correlator/rules services/correlator/rules
COPY --from=build /app/services/gateway/package.json services/gateway/
COPY --from=build /app/services/gateway/dist services/gateway/dist
COPY --from=build /app/services/gateway/procedures services/gateway/procedures
COPY --from=build /app/services/alerts/package.json services/alerts/
COPY --from=build /app/services/alerts/dist services/alerts/dist
# The CAP templates, read and checked when the alerts service loads.
COPY --from=build /app/services/alerts/templates services/alerts/templates
# The built dashboard and public page, served by the gateway (GATEWAY_WEB_DIR defaults to /app/web/dist).
COPY --from=build /app/web/dist web/dist
# Migrations (npm run db:migrate) and the container health check; infra/package.json makes them ES modules.
COPY --from=build /app/infra/package.json infra/
COPY --from=build /app/infra/dist/src/db-migrate.js /app/infra/dist/src/db-migrate.js.map infra/dist/src/
COPY --from=build /app/infra/dist/src/deploy/ops-ports.js /app/infra/dist/src/deploy/healthcheck.js infra/dist/src/deploy/
# The node image's unprivileged user (uid 1000); the application files stay owned by root, read-only to it.
USER node
# /healthz on the ops port of the service this container runs (found from its command line).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "infra/dist/src/deploy/healthcheck.js"]
CMD ["node", "services/gateway/dist/src/main.js"]

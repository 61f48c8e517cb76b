# syntax=docker/dockerfile:1
# The Configuration API + console image (k8s/). Three stages:
#   build      every dependency; generates the Prisma client, builds the console and
#              compiles the server to dist/ (tsconfig.build.json)
#   prod-deps  production dependencies only
#   runtime    prod-deps + sources + what build produced, as the non-root `node` user
# The server and the migration run as compiled JavaScript (dist/), as
# `npm start` does: under tsx an idle server held ~100 MB more (issue #15).
# The reference paper worker still runs through tsx (a production
# dependency), which only writes its cache to $TMPDIR, so the root
# filesystem can be read-only (k8s mounts an emptyDir on /tmp).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
# What the postinstall (prisma generate) needs, before the rest: the
# dependency layer is cached until the lockfile or the data model changes.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma/schema.prisma prisma/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run web:build && npm run build:server

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the root postinstall would run `prisma generate`; the
# client is generated once in the build stage and copied below.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# The commit the image is built from (docker build --build-arg UCP_CODE_COMMIT=$(git rev-parse HEAD)):
# the reference paper worker freezes it into its session's parameter sets (lineage), as npm start does
# from the checkout; an image has no .git.
ARG UCP_CODE_COMMIT=""
ENV UCP_CODE_COMMIT=${UCP_CODE_COMMIT}
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 HOST=0.0.0.0 PORT=4000 TMPDIR=/tmp PAPER_WORKER=false
WORKDIR /app
# Owned by root and not writable by the process.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY contract ./contract
COPY prisma ./prisma
COPY runtime-agent ./runtime-agent
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
USER node
EXPOSE 4000
# Liveness and readiness are the orchestrator's (k8s probes /healthz and /readyz).
CMD ["node", "dist/app/main.js"]

# One image for every lockstep service; the command picks the service:
#   engine | notifier | admin-api | genesys-sim | webhook-receiver | demo-setup | lockstep (the CLI)
# The base image is a build argument so that the same file builds on any Node.js 20.19+ image.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY services ./services
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund --loglevel=error \
 && npx tsc -b \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && rm -rf test bench scripts/*.ts packages/*/src services/*/src packages/*/tsconfig*.json services/*/tsconfig*.json \
 && find packages services -name '*.test.*' -delete \
 && find packages services -name '*.tsbuildinfo' -delete

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app /app
COPY scripts/docker-entrypoint.sh /usr/local/bin/lockstep-entrypoint
COPY scripts/healthcheck.mjs /app/scripts/healthcheck.mjs
# A larger young generation: the engine allocates many short-lived objects per event (fewer promotions to old space).
ENV NODE_OPTIONS="--max-semi-space-size=32"
USER node
# Each service answers GET /healthz on its own port; the healthcheck picks the port from the service's settings.
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=6 CMD ["node", "/app/scripts/healthcheck.mjs"]
ENTRYPOINT ["lockstep-entrypoint"]
CMD ["engine"]

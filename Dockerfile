# One image for every lockstep service; SERVICE picks the entry point (engine, genesys-sim, ...).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY services ./services
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npx tsc -b && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
ARG SERVICE=engine
ENV SERVICE=${SERVICE}
USER node
# A larger young generation: the engine allocates many short-lived objects per event (fewer promotions to old space).
ENV NODE_OPTIONS="--max-semi-space-size=32"
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]

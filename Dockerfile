# meshplan, built from this repository. Run it with docker compose (docker-compose.yml),
# or alone with DATABASE_URL set (without it, the embedded PostgreSQL keeps data in /data).

# Build: npm ci runs `prepare` (prisma generate, then tsc into dist/); then the dev dependencies go.
# `npm prune --omit=dev` keeps the Prisma CLI (a dev dependency, but also an optional peer of
# @prisma/client, so npm counts it as both), 250 packages and ~220 MB the server never loads: it is
# uninstalled by name (the generated client needs only @prisma/client's runtime).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci && npm prune --omit=dev && npm uninstall --no-save --omit=dev --ignore-scripts prisma && npm cache clean --force

# Run: the compiled server under plain node, production dependencies only.
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/samples ./samples
COPY --from=build /app/schema.graphql ./
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
EXPOSE 3000
# node directly as PID 1: `docker stop`'s SIGTERM reaches the server, which stops as on SIGTERM to `npm start`.
CMD ["node", "--max-old-space-size=1536", "--single-threaded-gc", "--enable-source-maps", "dist/server.js"]

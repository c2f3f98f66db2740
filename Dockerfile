# meshplan, built from this repository. Run it with docker compose (docker-compose.yml),
# or alone with DATABASE_URL set (without it, the embedded PostgreSQL keeps data in /data).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# Dev dependencies are kept: the service runs TypeScript with tsx; npm ci's prepare runs prisma generate.
RUN npm ci && npm cache clean --force
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
EXPOSE 3000
CMD ["npx", "tsx", "src/server.ts"]

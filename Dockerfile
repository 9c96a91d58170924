# Multi-stage build of the chat service. The build stage compiles TypeScript and the native SQLite driver; the
# runtime stage carries only production dependencies, compiled JavaScript (with the browser client built into
# dist/web), the Avro schemas, and runs as the unprivileged `node` user.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` runs `prepare` (tsc), so the sources must be there first.
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
COPY web ./web
RUN npm install --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Every role by default; ROLES (e.g. `api,gateway`, `command-processor`, `projector:history`) picks this
# container's share of the distributed mode (docker-compose.yml).
CMD ["node", "dist/cli/main.js", "serve"]

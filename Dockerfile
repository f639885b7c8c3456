# Portcullis in a container: SQLite in the /app/data volume by default (set DATABASE_URL for PostgreSQL),
# the generated master key in /app/keys (or KEYS_MASTER_KEY from your secret store). Migrations are
# applied by the server at start.
#
#   docker build -t portcullis .
#   docker run -p 3000:3000 -v portcullis-data:/app/data -v portcullis-keys:/app/keys \
#     -e ISSUER=https://auth.example.com portcullis
#   docker exec -i <container> portcullis clients list

# ---- build: install everything, compile, then drop the dev dependencies ----
FROM node:24-bookworm-slim AS build
# better-sqlite3 compiles itself with node-gyp when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The postinstall script generates the Prisma clients from prisma/, so it comes before `npm ci`.
COPY package.json package-lock.json ./
COPY scripts/prisma.mjs scripts/ensure-built.mjs scripts/
COPY prisma prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src src
# The web console (web/console, bundled with the client SDK's sources into dist/console).
COPY scripts/build-console.mjs scripts/
COPY web web
COPY packages/client/src packages/client/src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: the compiled server, production dependencies and migrations, as a non-root user ----
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=file:/app/data/portcullis.db \
    KEYS_DIR=/app/keys
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/src/pages/templates src/pages/templates
COPY --from=build /app/src/pages/static src/pages/static
COPY --from=build /app/prisma prisma
COPY --from=build /app/scripts/ensure-built.mjs scripts/ensure-built.mjs
COPY bin bin
RUN mkdir -p /app/data /app/keys \
 && chown node:node /app/data /app/keys \
 && chmod 0700 /app/keys \
 && ln -s /app/bin/portcullis.js /usr/local/bin/portcullis
USER node
VOLUME ["/app/data", "/app/keys"]
EXPOSE 3000
# No curl in slim images: node itself asks /healthz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 receives SIGTERM directly; the server finishes requests in flight and exits 0.
CMD ["node", "dist/main.cjs"]

# The compiled production build (`npm run build`), run with plain node as an unprivileged user. How to configure
# and run it (live mode, Supabase Postgres, several instances behind a load balancer): docs/deployment.md.
#   docker build -t isv-platform .
#   docker run --env-file .env -p 3000:3000 isv-platform

# 1. Build: every dependency, then the server (tsc → dist/) and the portal (vite → web/dist).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Runtime dependencies only (no TypeScript, tsx, vitest or the `node` package).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. What runs: node, the production node_modules, the compiled server with its migrations, the built portal.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY package.json ./
# DATA_DIR must be owner-only (the server refuses to start otherwise); only the embedded default and the local
# sandbox write there, a live deployment keeps its state in Postgres.
RUN mkdir -m 700 /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/server/main.js", "serve", "--no-web-build"]

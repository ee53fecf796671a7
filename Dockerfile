# syntax=docker/dockerfile:1
# The mcpflow image: `mcpflow worker` by default; any mcpflow command otherwise
# (codec-server, emulator, demo-servers, query, ...). Built by docker-compose.yml.

# ---- build: compile TypeScript and prebuild the workflow bundle -------------------------
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY activities ./activities
COPY workflows ./workflows
COPY scripts/bundle-workflows.mjs ./scripts/bundle-workflows.mjs
RUN npm run build && node scripts/bundle-workflows.mjs dist/workflow-bundle.js

# ---- runtime: production dependencies, compiled code, no compiler, not root -------------
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    MCPFLOW_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The node image's unprivileged user (uid 1000).
USER node
ENTRYPOINT ["node", "bin/mcpflow.cjs"]
CMD ["worker"]

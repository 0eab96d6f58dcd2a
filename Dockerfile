# One multi-stage image for every process of the orchestrator. Each process is a build target that
# differs only in its command and health check:
#   api (the default, last stage), worker, sandbox (the Ping emulator), inbox (the SMTP test server).
#   docker build -t ping-orchestrator-api .
#   docker build --target worker -t ping-orchestrator-worker .
# docker-compose.yml builds them; test/integration/compose.test.ts checks that every path named here
# exists in the repository and that the health checks match the routes and ports of the code.
#
# The workflow code is bundled once, in the build stage, from the compiled dist/workflows/index.js into
# dist/workflow-bundle/ (worker/workflowBundle.ts): a worker that starts or restarts reads that file
# and polls within about a second instead of spending seconds of CPU in webpack first.
#
# Install scripts are skipped everywhere (--ignore-scripts), as npm 11 does on our machines: the
# Temporal SDK, esbuild and swc work without them, and no analytics script runs in the build.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    SCARF_ANALYTICS=false
WORKDIR /app

# --- build: every dependency, then TypeScript compiled to dist/ (tsconfig.build.json, no tests) ---
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY common ./common
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY ping ./ping
COPY worker ./worker
COPY api ./api
COPY sandbox ./sandbox
COPY devservices ./devservices
COPY app ./app
RUN npm run build
RUN node dist/worker/buildWorkflowBundle.js

# --- production dependencies only ---
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# --- runtime: compiled JS + production node_modules, run as the image's non-root `node` user ---
FROM base AS runtime
ENV NODE_ENV=production \
    LOG_FORMAT=json
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# The payee app's stylesheet and script, which the compiler does not copy (app/assets.ts).
COPY --from=build /app/app/public ./dist/app/public
USER node

FROM runtime AS worker
# The worker has no API port. Its metrics listener (WORKER_METRICS_PORT, default 9464) answers from
# the worker's own event loop, so that is the check; with metrics off, the worker process must exist.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const port=process.env.WORKER_METRICS_PORT??'9464';if(port===''||port==='0'){const fs=require('fs');process.exit(fs.readdirSync('/proc').some((p)=>{try{return /^\\d+$/.test(p)&&fs.readFileSync('/proc/'+p+'/cmdline','utf8').split('\\0').includes('dist/worker/main.js')}catch{return false}})?0:1)}fetch('http://127.0.0.1:'+port+'/metrics').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A capped heap (WORKER_MAX_HEAP_MB in common/config/workerTuning.ts says why); compose sets it from .env.
ENV NODE_OPTIONS=--max-old-space-size=512
CMD ["node", "--enable-source-maps", "dist/worker/main.js"]

FROM runtime AS sandbox
EXPOSE 4010
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SANDBOX_PORT||'4010')+'/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/sandbox/main.js"]

FROM runtime AS inbox
# It listens on loopback only (it shows every mail to anyone): compose runs it in the worker's network.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.INBOX_HTTP_PORT||'8025')+'/messages').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/devservices/main.js"]

# The default target, so a plain `docker build .` makes the API image.
FROM runtime AS api
# In a container the API must listen on every interface (its default is loopback).
ENV API_HOST=0.0.0.0
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.API_PORT||'3000')+'/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/api/main.js"]

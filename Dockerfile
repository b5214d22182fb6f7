# Tandem TTS image: one image for every role (API, worker pools, monitor); the command picks the role
# (see docker-compose.yml). Multi-stage: compile with devDependencies, run with production ones only.

# --- build: install everything, compile TypeScript, then drop the devDependencies -----------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's install script would download GPU libraries; its CPU build ships in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
# npm's `prepare` runs scripts/run.mjs, which skips compiling while src/ is not copied yet.
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled code, production node_modules, the web page and the model manifest ----------
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    DATA_DIR=/data \
    OUTPUT_DIR=/data/audio \
    MODELS_DIR=/data/models
# package.json carries "type": "module", which dist/**/*.js needs.
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The web page is served as it is, resolved from the package root (src/api/web/index.ts: WEB_ROOT).
COPY --from=build /app/src/api/web/public ./src/api/web/public
# Data the text front-end reads at run time, resolved from the package root (the Mandarin pinyin list).
COPY assets ./assets
# `node dist/cli/models.js` reads models/manifest.json; the weights themselves go on the models
# volume (never in the image). .dockerignore keeps any local weights out of the build context.
COPY models/manifest.json models/README.md ./models/
# The English front-end reads misaki's lexicons from the package root (src/engines/kokoro/lexicon-en.ts).
COPY lexicons ./lexicons
# The espeak engine's WebAssembly build, resolved from the package root (src/engines/espeak/wasm.ts).
COPY vendor/espeak-ng/espeak-ng-core.cjs vendor/espeak-ng/espeak-ng-core.wasm ./vendor/espeak-ng/
# Volumes mounted on these paths start with this ownership, so the node user can write to them.
# (No VOLUME instruction: docker-compose.yml names the volumes; VOLUME would also give every
# container of every role anonymous ones.)
RUN mkdir -p /data/audio /data/models \
    && chown -R node:node /data
EXPOSE 8080 9464
USER node
CMD ["node", "dist/cli/api.js"]

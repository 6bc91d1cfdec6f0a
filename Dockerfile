# syntax=docker/dockerfile:1
# nanobanana-studio as a container: the HTTP server (`serve`) with the data folder as a volume, run as a
# non-root user, with a health check. Build:  docker build -t nanobanana-studio .
# BASE is any Debian-based image with Node 24 and npm (default: the official Node image); the README shows
# how to make one from Debian packages with mmdebstrap when no registry is reachable.
ARG BASE=node:24-bookworm-slim

FROM ${BASE} AS build
# better-sqlite3 and sharp: prebuilt binaries when they can be downloaded, otherwise compiled here.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# A private registry's settings (npmrc) and a TLS-inspecting proxy's CA bundle (ca), if any, come in as
# build secrets and never enter a layer:  --secret id=npmrc,src=$HOME/.npmrc --secret id=ca,src=ca.pem
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=secret,id=ca,target=/run/secrets/ca.pem \
    if [ -s /run/secrets/ca.pem ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca.pem npm_config_cafile=/run/secrets/ca.pem; fi \
 && npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE} AS runtime
ENV NODE_ENV=production \
    STUDIO_DATA_DIR=/data \
    STUDIO_HOST=0.0.0.0 \
    STUDIO_PORT=8766
# A system user with no shell and no home but the data folder; it owns nothing but /data.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin studio \
 && mkdir -p /data && chown studio:studio /data && chmod 700 /data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER studio
VOLUME ["/data"]
EXPOSE 8766
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.STUDIO_PORT||8766)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]

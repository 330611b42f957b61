# syntax=docker/dockerfile:1
# Parley on Debian 12 (bookworm). Targets:
#   docker build -t parley-server .                 the server with the web client (the default)
#   docker build -t parley-bots --target bots .     the five bots
#   docker build -t parley-coturn --target coturn . Debian's coturn, as the tests use it
# deploy/compose.yaml builds all three and wires them (docs/DEPLOYMENT.md, "Docker").

# --- C++ build: the packages of scripts/deps/*.apt without the test-only ones, then scripts/build.sh.
FROM debian:bookworm AS build
ARG TEST_ONLY_PACKAGES="chromium coturn clang libclang-rt-14-dev libgtest-dev libgmock-dev python3-prometheus-client curl"
WORKDIR /src
COPY scripts/deps/server.apt scripts/deps/bots.apt scripts/deps/
COPY deploy/docker/apt-packages.sh deploy/docker/runtime-packages.sh deploy/docker/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      $(deploy/docker/apt-packages.sh --without "$TEST_ONLY_PACKAGES" scripts/deps/server.apt scripts/deps/bots.apt) \
 && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY src/ src/
COPY scripts/build.sh scripts/
# No web/ here (the web stage builds it) and no tests: build.sh then builds only the binaries.
RUN --mount=type=cache,target=/src/.cache/ccache \
    PARLEY_CMAKE_ARGS="-DPARLEY_BUILD_TESTS=OFF" scripts/build.sh \
 && strip build/parley-server build/parley-bots \
 && mkdir /out \
 && deploy/docker/runtime-packages.sh build/parley-server > /out/server.packages \
 && deploy/docker/runtime-packages.sh build/parley-bots > /out/bots.packages

# --- Web client: npm ci and the build of scripts/build.sh (Vite 8 needs Node 20.19 or newer).
FROM node:22-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build --silent

# --- Common runtime: the service user (uid 10001) and its directories.
FROM debian:bookworm-slim AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/parley --shell /usr/sbin/nologin parley \
 && install -d -o parley -g parley -m 0700 /var/lib/parley /var/lib/parley-bots /run/parley-bots \
 && install -d -o parley -g parley -m 0750 /run/parley

# --- parley-bots: --ws-server and the token file come from the compose file (or `docker run`).
FROM runtime AS bots
COPY --from=build /out/bots.packages /tmp/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/bots.packages apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* /tmp/bots.packages
COPY --from=build /src/build/parley-bots /usr/local/bin/
USER parley
WORKDIR /var/lib/parley-bots
VOLUME /var/lib/parley-bots
ENTRYPOINT ["parley-bots"]
CMD ["--ws-server", "ws://parley-server:3001/ws", "--data-dir", "/var/lib/parley-bots", \
     "--bots-secret-env-file", "/run/parley-bots/bots.env"]

# --- coturn from Debian (scripts/deps/bots.apt has it for the TURN test); config from deploy/coturn.
# It runs as uid 10001 too, so one secret file owned by that uid serves both containers.
FROM runtime AS coturn
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends coturn \
 && rm -rf /var/lib/apt/lists/*
COPY deploy/coturn/turnserver.conf /etc/parley-coturn/turnserver.conf
COPY deploy/coturn/entrypoint.sh /usr/local/bin/parley-coturn
USER parley
ENTRYPOINT ["parley-coturn"]

# --- parley-server with the web client (the default target). Flags: `docker run parley-server --help`.
FROM runtime AS server
COPY --from=build /out/server.packages /tmp/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/server.packages apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* /tmp/server.packages
COPY --from=build /src/build/parley-server /usr/local/bin/
COPY --from=web /src/web/dist /usr/share/parley/web
# What the provisioning step (deploy/compose.yaml, provision-bots) runs in this image.
COPY deploy/provision-bots.sh /usr/local/bin/parley-provision-bots
COPY assets/bots/ /usr/share/parley/bots-avatars/
USER parley
WORKDIR /var/lib/parley
VOLUME /var/lib/parley
EXPOSE 3001
ENTRYPOINT ["parley-server"]
# Settings beyond these: PARLEY_* environment variables (README, "Configuration"); no .env file.
CMD ["--env-file", "", "--listen", "0.0.0.0:3001", "--web-root", "/usr/share/parley/web", \
     "--data-dir", "/var/lib/parley", "--management-listen", "/run/parley/management.sock"]

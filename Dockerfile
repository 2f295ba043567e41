# sockwarden image: one static binary, nothing else. Build with `make image` (it runs `make static`
# first; the image needs no base image and no registry). See docs/DEPLOY.md.
#
# Runs as uid:gid 2375:2375 ("sockwarden"). To open a root-owned 0660 docker.sock the container
# needs the socket's group: `--group-add "$(stat -c %g /var/run/docker.sock)"` (compose: group_add).
# Works with --read-only, --cap-drop ALL and --security-opt no-new-privileges: it writes no files.
FROM scratch

ARG VERSION=unknown
LABEL org.opencontainers.image.title="sockwarden" \
      org.opencontainers.image.description="Docker socket proxy, Tecnativa-compatible flags" \
      org.opencontainers.image.version="${VERSION}"

COPY packaging/etc/passwd packaging/etc/group /etc/
COPY build/static/sockwarden /sockwarden

# Tecnativa docker-socket-proxy defaults, so `docker inspect` shows the effective policy, plus the
# flags Tecnativa reads but leaves unset and sockwarden's container-read flags. BIND_CONFIG stays
# unset: the binary then listens on [::]:2375 and falls back to 0.0.0.0:2375 without IPv6.
ENV SOCKET_PATH=/var/run/docker.sock \
    LOG_LEVEL=info \
    DISABLE_IPV6=0 \
    AUTH=0 BUILD=0 COMMIT=0 CONFIGS=0 CONTAINERS=0 DISTRIBUTION=0 EVENTS=1 EXEC=0 GRPC=0 \
    IMAGES=0 INFO=0 NETWORKS=0 NODES=0 PING=1 PLUGINS=0 POST=0 SECRETS=0 SERVICES=0 SESSION=0 \
    SWARM=0 SYSTEM=0 TASKS=0 VERSION=1 VOLUMES=0 \
    ALLOW_START=0 ALLOW_STOP=0 ALLOW_RESTARTS=0 ALLOW_PAUSE=0 ALLOW_UNPAUSE=0 \
    ALLOW_ARCHIVE=0 ALLOW_EXPORT=0 ALLOW_LOGS=1 ALLOW_TOP=1 ALLOW_CHANGES=1 ALLOW_STATS=1 \
    SHUTDOWN_GRACE=8s

USER 2375:2375
EXPOSE 2375

# SIGTERM, not Tecnativa's inherited SIGUSR1: sockwarden drains on either, and SIGTERM is what every
# orchestrator and `docker kill` default sends, so all of them get the same bounded drain. The drain
# (SHUTDOWN_GRACE=8s above) ends before `docker stop`'s default 10 s SIGKILL, so the exit code is 0
# even while clients hold /events streams open. Raise both together (`stop_grace_period`).
STOPSIGNAL SIGTERM

# No shell or curl in the image: the binary is its own probe (GET /_ping on the first listener).
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \
    CMD ["/sockwarden", "healthcheck"]

ENTRYPOINT ["/sockwarden"]

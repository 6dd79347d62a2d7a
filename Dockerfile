# Build a static hoard binary, then run it as a non-root user from an empty image
# with the cache on a volume.
#
#   docker build --build-arg VERSION=v1.2.3 -t hoard .
#   docker run --stop-timeout 40 -p 8080:8080 -v hoard-data:/data hoard [serve flags]
FROM golang:1.26-bookworm AS build
ARG VERSION=""
ARG COMMIT=""
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/hoard ./cmd/hoard \
 && mkdir -p /out/data \
 && echo 'hoard:x:10001:10001:hoard:/data:/sbin/nologin' > /out/passwd \
 && echo 'hoard:x:10001:' > /out/group

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
COPY --from=build --chown=10001:10001 /out/data /data
COPY --from=build /out/hoard /usr/local/bin/hoard
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
# Defaults as environment, so arguments add to them: `docker run hoard --offline`
# runs `hoard serve --offline` with the cache still on /data. A flag wins over these.
ENV HOARD_DATA_DIR=/data HOARD_LISTEN=:8080
# SIGTERM starts the drain (drain_timeout, 30s by default); give docker stop longer
# than that: docker run --stop-timeout 40 (compose: stop_grace_period: 40s).
STOPSIGNAL SIGTERM
# No shell or curl in a scratch image: the binary checks itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/hoard", "health"]
ENTRYPOINT ["/usr/local/bin/hoard"]
CMD ["serve"]

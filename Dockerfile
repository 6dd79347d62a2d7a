# Build a static hoard binary, then run it as a non-root user from an empty image
# with the cache on a volume.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hoard ./cmd/hoard \
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
ENTRYPOINT ["/usr/local/bin/hoard"]
CMD ["serve", "--data-dir", "/data", "--listen", ":8080"]

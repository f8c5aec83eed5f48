# syntax=docker/dockerfile:1
# Three images from one build: `--target api`, `--target runner`, `--target all-in-one`.
# Each is FROM scratch: a static binary (CGO_ENABLED=0, time zone data embedded
# with time/tzdata), CA certificates, and a non-root numeric user.
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The same script the CT-01 test runs: same binaries, same flags.
RUN scripts/build-static.sh /out && mkdir -p /out/data

FROM scratch AS base
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
USER 65532:65532

FROM base AS api
COPY --from=build /out/dolibarr-api /dolibarr-api
EXPOSE 8080
ENTRYPOINT ["/dolibarr-api"]

FROM base AS runner
COPY --from=build /out/dolibarr-runner /dolibarr-runner
EXPOSE 8081
ENTRYPOINT ["/dolibarr-runner"]

FROM base AS all-in-one
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/dolibarr /dolibarr
WORKDIR /data
ENV DOLIBARR_DB_DSN=file:/data/dolibarr.db
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/dolibarr"]

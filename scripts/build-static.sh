#!/bin/sh
# Builds the three static binaries into $1 (default bin/). The Dockerfile, the
# Makefile and the CT-01 test all call this script, so they build the same
# binaries with the same flags.
set -eu
out=${1:-bin}
export CGO_ENABLED=0 GOOS=linux
flags="-trimpath -ldflags=-s -ldflags=-w"
go build $flags -o "$out/dolibarr" ./cmd/main.go
go build $flags -o "$out/dolibarr-api" ./cmd/api
go build $flags -o "$out/dolibarr-runner" ./cmd/runner

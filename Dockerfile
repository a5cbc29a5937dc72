# The stationbench image: one static binary, run as a non-root user. The
# agents of a distributed run use it (stationbench k8s prints their Job).
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t stationbench:dev .
#   docker run --rm stationbench:dev version

# Build stage: the Go toolchain of go.mod, a static binary (no cgo).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/stationbench ./cmd/stationbench

# Run stage: distroless static (CA certificates, /etc/passwd, no shell),
# as its non-root user 65532 (kube.UID: the manifests run the pods as it).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stationbench /stationbench
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/stationbench"]
CMD ["--help"]

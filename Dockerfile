# Builds the single grantwatch binary; docker-compose.yml runs it as the
# migrator, the worker, the simulated Ironclad and the seeding step.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/worker ./cmd/worker

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /usr/local/bin/worker
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/worker"]
CMD ["run"]

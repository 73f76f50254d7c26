#!/usr/bin/env bash
# Soak run: starts Gantry on examples/models (loopback, free ports, --max-queue-size 8) and runs
# `gantry bench soak` against it: a mixed load, then a flood far beyond what the queues hold, then
# idle, sampling the server's RSS and its heap, non-heap and direct-buffer gauges; prints a Markdown
# report (also written to docs/soak-results.md unless --report says otherwise) and stops the
# server. Exits non-zero if a call ended unexpectedly, the memory outside the heap kept growing, or
# the RSS did not come back within 1.5x its pre-flood level. About 3 minutes with the defaults.
#   scripts/soak.sh [gantry bench soak options, e.g. --mixed-seconds 600]
#   GANTRY_JAVA_OPTS='-Xmx1g' scripts/soak.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_lib="$root/server/target/dist/lib"
bench_lib="$root/bench/target/dist/lib"
if ! ls "$server_lib"/gantry-server-*.jar "$bench_lib"/gantry-bench-*.jar >/dev/null 2>&1; then
  echo "soak: building the server and bench (mvn -DskipTests package -pl server,bench -am)..." >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl server,bench -am) >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/gantry-soak.XXXXXX")"
log="$work/server.log"
java_opts="${GANTRY_JAVA_OPTS:--Xmx1g}"
server_args=(--model-repository "$root/examples/models" --host 127.0.0.1 --grpc-port 0 --allow-http false
  --metrics-port 0 --max-queue-size 8)
java $java_opts -cp "$server_lib/*" dev.gantry.server.Main serve "${server_args[@]}" \
  >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 240); do
  if grep -q "server is ready" "$log"; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "soak: the server exited during start-up:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.5
done
grpc_port="$(sed -n 's/.*gRPC listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
metrics_url="$(sed -n 's/.*Prometheus metrics on \(http[^ ]*\/metrics\).*/\1/p' "$log" | head -1)"
if [[ -z "$grpc_port" || -z "$metrics_url" ]]; then
  echo "soak: the server did not become ready:" >&2
  cat "$log" >&2
  exit 1
fi

echo "soak: server pid $server, gRPC 127.0.0.1:$grpc_port, metrics $metrics_url" >&2
status=0
java -Xmx1g -cp "$bench_lib/*" dev.gantry.bench.BenchMain soak \
  --target "127.0.0.1:$grpc_port" --metrics "$metrics_url" --pid "$server" \
  --setup "\`java $java_opts ... serve --model-repository examples/models --max-queue-size 8\`, built from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'the working tree')" \
  --report "$root/docs/soak-results.md" "$@" || status=$?
errors="$(grep -c " ERROR " "$log" || true)"
echo
echo "Server log: $errors ERROR lines."
exit "$status"

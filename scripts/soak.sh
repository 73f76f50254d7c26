#!/usr/bin/env bash
# Soak run: starts Gantry on examples/models (loopback, free ports), drives it with a mixed load
# through the Java client for N minutes (default 3, at most 60), samples the server's RSS and its
# heap, non-heap and direct-buffer gauges from /metrics, prints a Markdown summary, stops the
# server. Exits non-zero if a call ended unexpectedly or the server's memory outside its Java heap
# kept growing. The driver is scripts/SoakLoad.java, run as a single-file program.
#   scripts/soak.sh [MINUTES]
#   GANTRY_JAVA_OPTS='-Xmx1g' scripts/soak.sh 10
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-3}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || (( minutes < 1 || minutes > 60 )); then
  echo "soak: MINUTES must be 1 to 60, got '$minutes'" >&2
  exit 2
fi

dist="$root/server/target/dist/lib"
if ! ls "$dist"/gantry-server-*.jar >/dev/null 2>&1; then
  echo "soak: building the server (mvn -DskipTests install -pl server)..." >&2
  (cd "$root" && mvn -B -q -DskipTests install -pl server) >&2
fi
client_jar="$(ls "$root"/client/target/gantry-client-*[0-9T].jar \
  "$HOME"/.m2/repository/dev/gantry/gantry-client/*/gantry-client-*[0-9T].jar 2>/dev/null | head -1 || true)"
if [[ -z "$client_jar" ]]; then
  echo "soak: no gantry-client jar; build it with 'mvn -DskipTests install -pl client'" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/gantry-soak.XXXXXX")"
log="$work/server.log"
java ${GANTRY_JAVA_OPTS:--Xmx1g} -cp "$dist/*" dev.gantry.server.Main serve \
  --model-repository "$root/examples/models" --host 127.0.0.1 --grpc-port 0 --metrics-port 0 \
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

echo "soak: server pid $server, gRPC 127.0.0.1:$grpc_port, metrics $metrics_url, $minutes min" >&2
status=0
java -cp "$client_jar:$dist/*" "$root/scripts/SoakLoad.java" \
  --target "127.0.0.1:$grpc_port" --metrics "$metrics_url" --pid "$server" \
  --minutes "$minutes" || status=$?
errors="$(grep -c " ERROR " "$log" || true)"
echo
echo "Server log: $errors ERROR lines."
exit "$status"

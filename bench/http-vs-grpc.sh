#!/usr/bin/env bash
# The same inferences over gRPC and over HTTP/REST (binary tensor data) against one server, runs
# interleaved, for the tiny model and a 600 KB tensor; the tables go to bench/out-http/tables.txt.
# Layout as in run-suite.sh: model instances on core MODEL_CPU, the rest of the server and the load
# generator on CLIENT_CPU. Numbers are recorded by hand in bench/RESULTS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bench/out-http"
model_cpu="${MODEL_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"
rounds="${ROUNDS:-2}"

[ -d "$root/server/target/dist/lib" ] || "$root/gantry" serve --help >/dev/null
[ -d "$root/bench/target/dist/lib" ] || "$root/gantry" bench --version >/dev/null
server_cp="$root/server/target/dist/lib/*"
bench_cp="$root/bench/target/dist/lib/*"

rm -rf "$out"
mkdir -p "$out/json"
java -cp "$bench_cp" dev.gantry.bench.BenchModels "$out/models"
taskset -c "$client_cpu" java -cp "$server_cp" dev.gantry.server.Main serve \
  --model-repository "$out/models" --host 127.0.0.1 --grpc-port 0 --http-port 0 \
  --allow-metrics false --host-policy "cpu,cpu-cores=$model_cpu" >"$out/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  grep -q 'server is ready' "$out/server.log" && break
  sleep 0.2
done
grpc_port="$(sed -n 's/.*gRPC listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$out/server.log" | head -n 1)"
http_port="$(sed -n 's/.*HTTP\/REST listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$out/server.log" | head -n 1)"
[ -n "$grpc_port" ] && [ -n "$http_port" ] || { cat "$out/server.log" >&2; exit 1; }

bench() {
  local name="$1"; shift
  echo "== $name: $*" | tee -a "$out/tables.txt"
  taskset -c "$client_cpu" java -cp "$bench_cp" dev.gantry.bench.BenchMain \
    -u "127.0.0.1:$grpc_port" --http-url "127.0.0.1:$http_port" --server-pid "$server_pid" \
    --measurement-interval 3000 --max-trials 5 --warmup-requests 1000000 --warmup-time 6000 \
    --json "$out/json/$name.json" "$@" >>"$out/tables.txt" 2>>"$out/progress.txt"
}
for r in $(seq 1 "$rounds"); do
  for protocol in grpc http; do
    bench "tiny_${protocol}_r$r" -m tiny -i "$protocol" --mode async --concurrency-range 8
  done
  for protocol in grpc http; do
    bench "identity_600k_${protocol}_r$r" -m identity_600k -i "$protocol" --mode async \
      --input-data zero --concurrency-range 4
  done
done
echo "tables in $out/tables.txt"

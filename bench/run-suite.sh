#!/usr/bin/env bash
# Gantry's benchmark suite: one run on this machine, the server's model instances bound to one core
# (a host policy) and the rest of the server with the load generator on the other, results
# assembled into bench/RESULTS.md. See docs/bench.md.
#
#   bench/run-suite.sh                            # about 10 to 15 minutes
#   INTERVAL=1000 TRIALS=3 bench/run-suite.sh     # quicker and rougher
#   NICE=-10 bench/run-suite.sh                   # on a busy machine: the suite's processes first
#
# Uses the built distributions (server/target/dist, bench/target/dist) and builds them with
# ./gantry only when they are missing. Scratch files go to bench/out/ (ignored by git).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/out"
results="$root/bench/RESULTS.md"
model_cpu="${MODEL_CPU:-0}"   # one core
client_cpu="${CLIENT_CPU:-1}"
interval="${INTERVAL:-3000}"
trials="${TRIALS:-5}"
niceness="${NICE:-0}"
suite_limit_secs=1800
server_pid=""
echo_pid=""
echo_port=""
echo_failed=""
command_line=""
for setting in INTERVAL TRIALS NICE MODEL_CPU CLIENT_CPU GANTRY_JAVA_OPTS; do
  [ -z "${!setting:-}" ] || command_line+="$setting=${!setting} "
done
command_line+="bench/run-suite.sh"

log() { printf '[suite %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    for _ in $(seq 1 300); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
stop_echo() {
  [ -z "$echo_pid" ] || kill -KILL "$echo_pid" 2>/dev/null || true
  echo_pid=""
}
trap 'stop_echo; stop_server' EXIT

[ -d "$root/server/target/dist/lib" ] || "$root/gantry" serve --help >/dev/null
[ -d "$root/bench/target/dist/lib" ] || "$root/gantry" bench --version >/dev/null
server_cp="$root/server/target/dist/lib/*"
bench_cp="$root/bench/target/dist/lib/*"

# The code measured is the code at the start: edits made while the suite runs do not count.
commit="$(git -C "$root" rev-parse --short HEAD)"
dirty="$(git -C "$root" status --porcelain -- server backends client proto | wc -l)"

rm -rf "$out"
mkdir -p "$out/json"
: >"$out/failures.txt"
: >"$out/load.txt"
: >"$out/interference.txt"
log "writing the suite's models"
java -cp "$bench_cp" dev.gantry.bench.BenchModels "$out/models"

# The model instances compute on their own core, as in-process runs do; the server's transport,
# timers and JIT share the other core with the load generator.
log "starting the server on core $client_cpu, its model instances on core $model_cpu"
nice -n "$niceness" taskset -c "$client_cpu" java ${GANTRY_JAVA_OPTS:-} -cp "$server_cp" \
  dev.gantry.server.Main serve \
  --model-repository "$out/models" --host 127.0.0.1 --grpc-port 0 --allow-metrics false \
  --allow-http false \
  --host-policy "cpu,cpu-cores=$model_cpu" \
  >"$out/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 600); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/server.log" >&2; log "the server exited"; exit 1; }
  if grep -q 'server is ready' "$out/server.log"; then
    port="$(sed -n 's/.*gRPC listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$out/server.log" | head -n 1)"
    break
  fi
  sleep 0.2
done
[ -n "$port" ] || { log "the server did not become ready within 120 s"; exit 1; }
log "server pid $server_pid ready on port $port"

# Each level warms up for 6 s (the request count is only a cap), so that the JIT of a fresh client
# JVM sharing one core with its load threads has settled before measuring.
common=(--measurement-interval "$interval" --max-trials "$trials" --warmup-requests 1000000
  --warmup-time 6000 --max-duration 300)
start=$(date +%s)

# Busy clock ticks of one core (user, nice, system, irq, softirq, steal) and CPU ticks of the
# server's threads bound to the model core. The server's own count can include interrupt work done
# on its behalf, so the difference can dip a little below zero on an otherwise idle core; it is
# reported as 0.
core_ticks() { awk -v cpu="cpu$1" '$1 == cpu { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
model_thread_ticks() {
  local task ticks=0
  for task in /proc/"$server_pid"/task/*; do
    grep -q "^Cpus_allowed_list:[[:space:]]*$model_cpu\$" "$task/status" 2>/dev/null || continue
    ticks=$((ticks + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$task/stat" 2>/dev/null || echo 0)))
  done
  echo "$ticks"
}

# run NAME CORE ARGS...: one CLI run pinned to CORE, its JSON in out/json/NAME.json; a failed run
# is recorded and the suite goes on, until the suite's own time limit.
# time_is_up NAME: whether the suite's time limit has passed, recording NAME as skipped if so.
time_is_up() {
  [ $(($(date +%s) - start)) -ge "$suite_limit_secs" ] || return 1
  echo "$1 skipped: the suite's ${suite_limit_secs} s were up" >>"$out/failures.txt"
}
run() {
  local name="$1" core="$2"; shift 2
  time_is_up "$name" && return
  log "$name: $*"
  cut -d' ' -f1 /proc/loadavg >>"$out/load.txt"
  local status=0
  nice -n "$niceness" taskset -c "$core" java ${generator_jvm:-} -cp "$bench_cp" dev.gantry.bench.BenchMain "${common[@]}" \
    --json "$out/json/$name.json" "$@" >>"$out/tables.txt" 2>>"$out/progress.txt" || status=$?
  [ "$status" -eq 0 ] || echo "$name exited with status $status" >>"$out/failures.txt"
}
# served NAME ARGS...: a run against the server; records how much of the model core other
# processes used meanwhile (core busy time less the model threads' CPU time, over the run's time).
served() {
  local name="$1"; shift
  local core_before server_before wall_before
  server_before=$(model_thread_ticks); core_before=$(core_ticks "$model_cpu"); wall_before=$(date +%s%N)
  run "$name" "$client_cpu" -u "127.0.0.1:$port" --server-pid "$server_pid" "$@"
  local core_used=$(($(core_ticks "$model_cpu") - core_before))
  local server_used=$(($(model_thread_ticks) - server_before))
  local wall_ticks=$((($(date +%s%N) - wall_before) / 10000000))
  local others=$(( (core_used - server_used) * 100 / (wall_ticks > 0 ? wall_ticks : 1) ))
  echo "$name $(( others > 0 ? others : 0 ))" >>"$out/interference.txt"
}
inprocess() { local name="$1"; shift; run "$name" "$model_cpu" --in-process --model-repository "$out/models" "$@"; }
# echo_run NAME ARGS...: a run against the echo server (dev.gantry.bench.EchoServer), the floor of
# the tiny and payload runs, started at the first such run on the core of Gantry's transport and
# kept (idle) for the later ones, so that its JIT has compiled by then. An echo that does not
# start is recorded, and its runs are skipped.
echo_run() {
  local name="$1"; shift
  time_is_up "$name" && return
  if [ -z "$echo_pid" ] && [ -z "$echo_failed" ]; then
    nice -n "$niceness" taskset -c "$client_cpu" java -cp "$bench_cp" dev.gantry.bench.EchoServer \
      >"$out/echo.log" 2>&1 &
    echo_pid=$!
    for _ in $(seq 1 300); do
      kill -0 "$echo_pid" 2>/dev/null || break
      echo_port="$(sed -n 's/^echo listening on port \([0-9][0-9]*\)$/\1/p' "$out/echo.log")"
      [ -z "$echo_port" ] || break
      sleep 0.2
    done
    if [ -z "$echo_port" ]; then
      echo_failed="the echo server did not listen within 60 s (bench/out/echo.log)"
      echo "$echo_failed" >>"$out/failures.txt"
      stop_echo
    else
      log "echo server pid $echo_pid on port $echo_port"
    fi
  fi
  if [ -n "$echo_failed" ]; then
    echo "$name skipped: $echo_failed" >>"$out/failures.txt"
    return
  fi
  run "$name" "$client_cpu" -u "127.0.0.1:$echo_port" --server-pid "$echo_pid" "$@"
}

# The runs, warm-up of the server's JIT on every path first, come from the suite's plan
# (dev.gantry.bench.report.SuitePlan), which the report reads them back by: one line per run,
# tab-separated: served, in-process or echo, name, JVM options of the generator (- for none),
# arguments.
mapfile -t plan < <(java -cp "$bench_cp" dev.gantry.bench.report.SuitePlan)
[ "${#plan[@]}" -gt 0 ] || { log "the suite's plan listed no runs"; exit 1; }
for line in "${plan[@]}"; do
  IFS=$'\t' read -r -a fields <<<"$line"
  target="${fields[0]}" name="${fields[1]}" generator_jvm="${fields[2]}"
  [ "$generator_jvm" != "-" ] || generator_jvm=""
  case "$target" in
    served) served "$name" "${fields[@]:3}" ;;
    in-process) inprocess "$name" "${fields[@]:3}" ;;
    echo) echo_run "$name" "${fields[@]:3}" ;;
    *) log "unknown target in the suite's plan: $line"; exit 1 ;;
  esac
done

stop_echo
stop_server
elapsed=$(($(date +%s) - start))
log "measured in ${elapsed} s; writing $results"

{
  echo "command=$command_line"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "jdk=$(java -version 2>&1 | head -n 1)"
  echo "commit=$commit"
  echo "dirty=$dirty"
  echo "server_jar=$(date -u -r "$root/server/target/dist/lib/gantry-server-0.1.0-SNAPSHOT.jar" +%Y-%m-%dT%H:%M:%SZ)"
  echo "model_cpu=$model_cpu"
  echo "client_cpu=$client_cpu"
  echo "nice=$niceness"
  echo "interval_ms=$interval"
  echo "trials=$trials"
  echo "elapsed_s=$elapsed"
  echo "load_min=$(sort -n "$out/load.txt" | head -n 1)"
  echo "load_max=$(sort -n "$out/load.txt" | tail -n 1)"
} >"$out/meta.properties"

java -cp "$bench_cp" dev.gantry.bench.report.SuiteReport "$out/json" "$out/meta.properties" \
  "$out/failures.txt" "$out/interference.txt" "$root/bench/copies.md" "$results"
log "done: $results"

#!/usr/bin/env bash
# receivers.sh: installs, starts, checks and stops the real third-party
# receivers that metlog-go's integration tests talk to, on 127.0.0.1 only.
#
#   bash scripts/receivers.sh [install|start|status|proof|stop|all]...   (default: all)
#
#   install  npm packages (statsd 0.9.0, sentry-testkit 7.6.0), the apt package
#            rsyslog (apt-get update first, only when something is missing), the
#            collector from tools/otelcol, and the configs
#   start    starts each selected receiver that is not running yet; a running one
#            is left alone
#   status   which receivers run, and what listens on their addresses
#   proof    sends a test datum to each running receiver and reads it back:
#            one "PROOF <name> ok ..." line each; exit status 1 if any failed
#   stop     stops the receivers this script started (by their pid files)
#   all      install start proof
#
# Environment (defaults in brackets):
#   METLOG_PEERS_DIR             working folder [/tmp/metlog-peers]: npm/ holds the npm
#                                packages, bin/ the helper scripts and the collector,
#                                run/ configs, logs, pid files, sockets, received data
#   METLOG_PEERS_TTL             seconds each server may live [3600]; each runs under
#                                timeout(1), so a forgotten one ends by itself
#   METLOG_PEERS                 which receivers [statsd rsyslog sentry otelcol]
#   METLOG_STATSD_ADDR           statsd, UDP and TCP [127.0.0.1:8125]
#   METLOG_STATSD_ADMIN_ADDR     statsd's admin interface, TCP [127.0.0.1:8126]
#   METLOG_RSYSLOG_ADDR          rsyslog, UDP and TCP [127.0.0.1:5514]
#   METLOG_SENTRY_ADDR           sentry-testkit, HTTP [127.0.0.1:8199]
#   METLOG_OTLP_ADDR             collector, OTLP/HTTP [127.0.0.1:4318]
#   METLOG_TCPLOG_ADDR           collector, tcp_log JSON lines [127.0.0.1:54525]
#   METLOG_OTELCOL_METRICS_ADDR  collector's own metrics, Prometheus [127.0.0.1:8888]
#
# What each receiver keeps, under $METLOG_PEERS_DIR/run:
#   statsd   statsd-flush.jsonl: one JSON object per flush (every 1000 ms) with
#            counters (already scaled by the sample rate), timers, gauges and
#            timer_data; deleteIdleStats is on, so add counters up over the lines.
#            statsd.log: every raw metric line as "DEBUG: name:1|c".
#   rsyslog  rsyslog-received.jsonl: every message unchanged, one per line, from
#            UDP, TCP (newline-framed; a line starting with a digit is taken as an
#            octet count, so send JSON) and the unix datagram socket rsyslog.sock.
#            Messages up to 256 KB.
#   sentry   sentry-received.json: {"reports","transactions","logs"} as
#            sentry-testkit keeps them. DSN:
#            http://acacaeaccacacacabcaacdacdacadaca@127.0.0.1:8199/1
#   otelcol  otelcol-logs.jsonl: the file exporter's JSON, one
#            ExportLogsServiceRequest per line, from the logs pipeline
#            (otlp + tcp_log receivers -> batch -> file). A tcp_log record keeps
#            the line it came from as its string body, and the line's JSON object
#            parsed into its attributes (json_parser; a line that is not JSON
#            keeps its body, gets no attributes, and the collector logs the error).
#            The collector's metrics are at http://$METLOG_OTELCOL_METRICS_ADDR/metrics,
#            e.g. otelcol_exporter_sent_log_records{exporter="file"}.
#
# Quirks kept in mind: statsd 0.9.0 re-reads its config file whenever it changes
# (and dies on a half-written one), so configs are replaced only by an atomic
# rename and only when their content changed, and automaticConfigReload is off;
# socket_mod is never set (statsd 0.9.0 calls fs.chmod without a callback, which
# throws on Node >= 10). rsyslog runs in the foreground with its own config and
# never touches /dev/log or the system daemon.
# The proof checks are functions run through until_ok, and "send && check || fail"
# chains are meant as written:
# shellcheck disable=SC2015,SC2317
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${METLOG_PEERS_DIR:-/tmp/metlog-peers}
ttl=${METLOG_PEERS_TTL:-3600}
peers=${METLOG_PEERS:-statsd rsyslog sentry otelcol}
statsd_addr=${METLOG_STATSD_ADDR:-127.0.0.1:8125}
statsd_admin_addr=${METLOG_STATSD_ADMIN_ADDR:-127.0.0.1:8126}
rsyslog_addr=${METLOG_RSYSLOG_ADDR:-127.0.0.1:5514}
sentry_addr=${METLOG_SENTRY_ADDR:-127.0.0.1:8199}
otlp_addr=${METLOG_OTLP_ADDR:-127.0.0.1:4318}
tcplog_addr=${METLOG_TCPLOG_ADDR:-127.0.0.1:54525}
otelcol_metrics_addr=${METLOG_OTELCOL_METRICS_ADDR:-127.0.0.1:8888}
sentry_key=acacaeaccacacacabcaacdacdacadaca

run=$dir/run
bin=$dir/bin
npmdir=$dir/npm
all_peers="statsd rsyslog sentry otelcol"
export DEBIAN_FRONTEND=noninteractive

say() { printf '[receivers] %s\n' "$*" >&2; }
host_of() { printf '%s' "${1%:*}"; }
port_of() { printf '%s' "${1##*:}"; }

# Every receiver listens on loopback only.
check_addr() { # NAME ADDR
  case $(host_of "$2") in
    127.*) ;;
    *) say "$1: $2 is not a 127.x.x.x address; the receivers listen on loopback only"; exit 2 ;;
  esac
  case $(port_of "$2") in
    '' | *[!0-9]*) say "$1: $2 has no port"; exit 2 ;;
  esac
}

# until_ok SECONDS CMD...: runs CMD every 0.2 s until it succeeds or time is up.
until_ok() {
  local end=$((SECONDS + $1))
  shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.2
  done
}

# comes_up NAME SECONDS CHECK...: waits until CHECK succeeds, and gives up at
# once when the server has exited.
comes_up() {
  local name=$1 secs=$2 end=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! running "$name"; then
      say "$name: exited during start"
      return 1
    fi
    if [ "$SECONDS" -ge "$end" ]; then
      say "$name: not ready after ${secs}s ($*)"
      return 1
    fi
    sleep 0.2
  done
}

tcp_up() { ss -Hltn "src $1" 2>/dev/null | grep -q .; }
udp_up() { ss -Hlun "src $1" 2>/dev/null | grep -q .; }

# running NAME: the pid file names a live process that this script started.
running() {
  local f=$run/$1.pid pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q '^timeout '
}

# launch NAME CMD...: runs CMD in its own session under timeout(1), output in
# run/NAME.log, pid (of timeout, which passes SIGTERM on) in run/NAME.pid.
launch() {
  local name=$1
  shift
  setsid timeout --kill-after=10 "$ttl" "$@" >>"$run/$name.log" 2>&1 </dev/null &
  echo $! >"$run/$name.pid"
  say "$name: started, pid $!, ends by itself after ${ttl}s, log $run/$name.log"
}

# replace FILE: writes stdin to FILE by an atomic rename, only when it changes.
replace() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX") || return 1
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else chmod 0644 "$tmp" && mv -f "$tmp" "$1"; fi
}

log_tail() { # NAME: the last lines of a receiver's log, to show why it failed
  [ -s "$run/$1.log" ] || return 0
  say "$1: last lines of $run/$1.log:"
  tail -n 25 "$run/$1.log" | sed 's/^/    /' >&2
}

# busy NAME ADDR PROTO: another process listens on the address's port (on any
# interface), so our receiver could not bind it.
busy() {
  local flag=-Hltn
  [ "$3" = udp ] && flag=-Hlun
  ss $flag "sport = :$(port_of "$2")" 2>/dev/null | grep -q . || return 1
  say "$1: port $(port_of "$2")/$3 is already taken by another process:"
  ss ${flag}p "sport = :$(port_of "$2")" 2>/dev/null | sed 's/^/    /' >&2
  return 0
}

# ---------------------------------------------------------------- install

need_cmd() { command -v "$1" >/dev/null 2>&1; }

apt_install() { # PACKAGE...: installs the missing ones, apt-get update first
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! need_cmd apt-get; then
    say "apt-get not found, cannot install: ${missing[*]}"
    return 1
  fi
  say "apt-get install ${missing[*]} (log $dir/apt.log)"
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >>"$dir/apt.log" 2>&1 && return 0
  say "apt-get install ${missing[*]} failed:"
  tail -n 15 "$dir/apt.log" | sed 's/^/    /' >&2
  return 1
}

npm_install() { # PACKAGE@VERSION...: the missing ones, into $npmdir
  local missing=() spec
  for spec in "$@"; do
    [ -f "$npmdir/node_modules/${spec%@*}/package.json" ] &&
      grep -q "\"version\": *\"${spec##*@}\"" "$npmdir/node_modules/${spec%@*}/package.json" ||
      missing+=("$spec")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! need_cmd npm || ! need_cmd node; then
    say "node and npm are needed for ${missing[*]} (Node 20 works) and were not found"
    return 1
  fi
  mkdir -p "$npmdir"
  [ -f "$npmdir/package.json" ] || echo '{"name": "metlog-peers", "private": true}' >"$npmdir/package.json"
  say "npm install ${missing[*]} (log $dir/npm.log)"
  (cd "$npmdir" && timeout 900 npm install --no-audit --no-fund --save-exact --loglevel=error "${missing[@]}") \
    >>"$dir/npm.log" 2>&1 && return 0
  say "npm install ${missing[*]} failed:"
  tail -n 15 "$dir/npm.log" | sed 's/^/    /' >&2
  return 1
}

install_statsd() {
  npm_install statsd@0.9.0 || return 1
  replace "$bin/statsd-flush-backend.js" <"$repo/scripts/receivers/statsd-flush-backend.js"
}

install_rsyslog() {
  apt_install rsyslog netcat-openbsd
}

install_sentry() {
  npm_install sentry-testkit@7.6.0 || return 1
  replace "$bin/sentry-server.js" <"$repo/scripts/receivers/sentry-server.js"
}

# The collector is rebuilt when its sources changed since the last build.
install_otelcol() {
  local src=$repo/tools/otelcol stamp want t0
  if ! need_cmd go; then
    say "otelcol: go is not on PATH"
    return 1
  fi
  want=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -d' ' -f1)
  stamp=$bin/otelcol.sources
  if [ -x "$bin/otelcol" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  say "otelcol: building $bin/otelcol from tools/otelcol (a few minutes when the build cache is cold; log $dir/otelcol-build.log)"
  t0=$SECONDS
  # go.mod and go.sum are committed complete: download, then build, never tidy.
  if ! (cd "$src" && export GOWORK=off &&
    go mod download && go build -buildvcs=false -o "$bin/otelcol.new" .) >"$dir/otelcol-build.log" 2>&1; then
    say "otelcol: build failed:"
    tail -n 25 "$dir/otelcol-build.log" | sed 's/^/    /' >&2
    return 1
  fi
  mv -f "$bin/otelcol.new" "$bin/otelcol"
  echo "$want" >"$stamp"
  say "otelcol: built in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- configs

config_statsd() {
  # A JavaScript object literal: statsd evaluates the file.
  replace "$run/statsd-config.js" <<EOF
{
  servers: [
    { server: "./servers/udp", address: "$(host_of "$statsd_addr")", port: $(port_of "$statsd_addr") },
    { server: "./servers/tcp", address: "$(host_of "$statsd_addr")", port: $(port_of "$statsd_addr") }
  ],
  mgmt_address: "$(host_of "$statsd_admin_addr")",
  mgmt_port: $(port_of "$statsd_admin_addr"),
  flushInterval: 1000,
  deleteIdleStats: true,
  automaticConfigReload: false,
  dumpMessages: true,
  backends: ["$bin/statsd-flush-backend.js"],
  metlogFlush: { file: "$run/statsd-flush.jsonl" }
}
EOF
}

config_rsyslog() {
  replace "$run/rsyslog.conf" <<EOF
# metlog-go test receiver: every message written unchanged, one per line.
global(workDirectory="$run/rsyslog-work" maxMessageSize="256k"
       parser.escapeControlCharactersOnReceive="off")
module(load="imuxsock" SysSock.Use="off")
module(load="imudp")
module(load="imtcp")
template(name="metlogRaw" type="string" string="%rawmsg%\n")
ruleset(name="metlog") {
  action(type="omfile" file="$run/rsyslog-received.jsonl" template="metlogRaw"
         asyncWriting="off" flushOnTXEnd="on")
}
input(type="imudp" address="$(host_of "$rsyslog_addr")" port="$(port_of "$rsyslog_addr")" ruleset="metlog")
input(type="imtcp" address="$(host_of "$rsyslog_addr")" port="$(port_of "$rsyslog_addr")" ruleset="metlog")
input(type="imuxsock" Socket="$run/rsyslog.sock" ruleset="metlog"
      UseSpecialParser="off" ParseHostname="off")
EOF
}

config_sentry() { :; }

config_otelcol() {
  replace "$run/otelcol.yaml" <<EOF
# metlog-go test collector: logs from OTLP/HTTP and from JSON lines over TCP,
# written to one file.
receivers:
  otlp:
    protocols:
      http:
        endpoint: $otlp_addr
  tcp_log:
    listen_address: $tcplog_addr
    operators:
      # The body stays the line as it was sent; its JSON object becomes the
      # record's attributes.
      - type: json_parser
        parse_from: body
        parse_to: attributes
processors:
  batch:
    timeout: 200ms
exporters:
  file:
    path: $run/otelcol-logs.jsonl
    append: true
    flush_interval: 100ms
service:
  telemetry:
    logs:
      level: info
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: $(host_of "$otelcol_metrics_addr")
                port: $(port_of "$otelcol_metrics_addr")
  pipelines:
    logs:
      receivers: [otlp, tcp_log]
      processors: [batch]
      exporters: [file]
EOF
}

# ---------------------------------------------------------------- start

start_statsd() {
  [ -f "$npmdir/node_modules/statsd/stats.js" ] || { say "statsd: not installed (run install)"; return 1; }
  busy statsd "$statsd_addr" tcp && return 1
  busy statsd "$statsd_addr" udp && return 1
  busy statsd "$statsd_admin_addr" tcp && return 1
  touch "$run/statsd-flush.jsonl"
  (cd "$npmdir/node_modules/statsd" && launch statsd node stats.js "$run/statsd-config.js")
  comes_up statsd 15 tcp_up "$statsd_addr" && comes_up statsd 5 udp_up "$statsd_addr" &&
    comes_up statsd 5 tcp_up "$statsd_admin_addr"
}

start_rsyslog() {
  need_cmd rsyslogd || { say "rsyslog: rsyslogd not installed (run install)"; return 1; }
  busy rsyslog "$rsyslog_addr" tcp && return 1
  busy rsyslog "$rsyslog_addr" udp && return 1
  mkdir -p "$run/rsyslog-work"
  rm -f "$run/rsyslog.sock" "$run/rsyslog.daemon.pid"
  touch "$run/rsyslog-received.jsonl"
  launch rsyslog rsyslogd -n -f "$run/rsyslog.conf" -i "$run/rsyslog.daemon.pid"
  comes_up rsyslog 15 tcp_up "$rsyslog_addr" && comes_up rsyslog 5 udp_up "$rsyslog_addr" &&
    comes_up rsyslog 5 test -S "$run/rsyslog.sock"
}

start_sentry() {
  [ -f "$npmdir/node_modules/sentry-testkit/package.json" ] || { say "sentry: not installed (run install)"; return 1; }
  busy sentry "$sentry_addr" tcp && return 1
  NODE_PATH=$npmdir/node_modules launch sentry node "$bin/sentry-server.js" \
    "$(host_of "$sentry_addr")" "$(port_of "$sentry_addr")" "$run/sentry-received.json"
  comes_up sentry 15 tcp_up "$sentry_addr" && comes_up sentry 5 test -f "$run/sentry-received.json"
}

start_otelcol() {
  [ -x "$bin/otelcol" ] || { say "otelcol: $bin/otelcol not built (run install)"; return 1; }
  local a
  for a in "$otlp_addr" "$tcplog_addr" "$otelcol_metrics_addr"; do busy otelcol "$a" tcp && return 1; done
  touch "$run/otelcol-logs.jsonl"
  launch otelcol "$bin/otelcol" --config "$run/otelcol.yaml"
  comes_up otelcol 30 tcp_up "$otlp_addr" && comes_up otelcol 5 tcp_up "$tcplog_addr" &&
    comes_up otelcol 5 tcp_up "$otelcol_metrics_addr"
}

# ---------------------------------------------------------------- proof

pass() { printf 'PROOF %s ok %s\n' "$1" "$2"; }
fail() { printf 'PROOF %s FAILED %s\n' "$1" "$2"; return 1; }

# verdict NAME SENT CHECK REPORT: waits up to 10 s for the function CHECK,
# then prints the PROOF line, ok or FAILED, with what was SENT and what the
# function REPORT says arrived.
verdict() {
  if until_ok 10 "$3"; then pass "$1" "$2 -> $("$4" 2>&1)"; else fail "$1" "$2 -> $("$4" 2>&1)"; fi
}

# statsd_sums FILE PREFIX: the counter c summed over the flushes, the timer t's
# values sorted, the gauge g's last value, as JSON.
statsd_sums() {
  node -e '
    const [file, p] = process.argv.slice(1);
    let c = 0, t = [], g = null;
    for (const line of require("fs").readFileSync(file, "utf8").split("\n")) {
      if (!line.includes(p)) continue;
      const f = JSON.parse(line);
      c += f.counters[p + "c"] || 0;
      t = t.concat(f.timers[p + "t"] || []);
      if (p + "g" in f.gauges) g = f.gauges[p + "g"];
    }
    console.log(JSON.stringify({ c: c, t: t.sort((a, b) => a - b), g: g }));
  ' "$1" "$2"
}

proof_statsd() {
  local p="proof_$token." want='{"c":7,"t":[5,9],"g":42}' file=$run/statsd-flush.jsonl
  # UDP: a counter at rate 0.5 counts double; TCP: newline-separated lines.
  printf '%sc:1|c\n%sc:2|c|@0.5\n%st:5|ms' "$p" "$p" "$p" >"/dev/udp/$(host_of "$statsd_addr")/$(port_of "$statsd_addr")" &&
    printf '%sc:2|c\n%st:9|ms\n%sg:42|g\n' "$p" "$p" "$p" >"/dev/tcp/$(host_of "$statsd_addr")/$(port_of "$statsd_addr")" ||
    { fail statsd "could not send to $statsd_addr"; return; }
  statsd_done() { [ "$(statsd_sums "$file" "$p")" = "$want" ]; }
  statsd_report() { echo "$(statsd_sums "$file" "$p") in $file (want $want)"; }
  verdict statsd "udp+tcp" statsd_done statsd_report
}

proof_rsyslog() {
  local file=$run/rsyslog-received.jsonl
  printf '{"proof":"%s","via":"udp"}' "$token" >"/dev/udp/$(host_of "$rsyslog_addr")/$(port_of "$rsyslog_addr")" &&
    printf '{"proof":"%s","via":"tcp"}\n{"proof":"%s","via":"tcp"}\n' "$token" "$token" \
      >"/dev/tcp/$(host_of "$rsyslog_addr")/$(port_of "$rsyslog_addr")" &&
    printf '{"proof":"%s","via":"unixgram"}' "$token" | nc -u -U -w1 -q0 "$run/rsyslog.sock" ||
    { fail rsyslog "could not send to $rsyslog_addr or $run/rsyslog.sock"; return; }
  # Each line exactly as it was sent.
  rsyslog_lines() { grep -c "^{\"proof\":\"$token\",\"via\":\"[a-z]*\"}\$" "$file"; }
  rsyslog_done() { [ "$(rsyslog_lines)" -eq 4 ]; }
  rsyslog_report() { echo "$(rsyslog_lines) of 4 lines unchanged in $file"; }
  verdict rsyslog "udp+tcp+unixgram" rsyslog_done rsyslog_report
}

proof_sentry() {
  local file=$run/sentry-received.json url="http://$sentry_addr/api/1"
  local auth="Sentry sentry_version=7, sentry_client=metlog-receivers/1, sentry_key=$sentry_key"
  curl -fsS -o /dev/null --max-time 5 -H "X-Sentry-Auth: $auth" -H 'Content-Type: application/json' \
    -d "{\"event_id\":\"$token\",\"message\":\"proof $token store\",\"level\":\"error\"}" "$url/store/" &&
    printf '{"event_id":"%s"}\n{"type":"event"}\n{"event_id":"%s","message":"proof %s envelope","level":"warning"}\n' \
      "$token" "$token" "$token" |
    curl -fsS -o /dev/null --max-time 5 -H "X-Sentry-Auth: $auth" \
      -H 'Content-Type: application/x-sentry-envelope' --data-binary @- "$url/envelope/" ||
    { fail sentry "could not post to $url"; return; }
  sentry_events() { grep -o "proof $token [a-z]*" "$file" 2>/dev/null | sort -u | wc -l; }
  sentry_done() { [ "$(sentry_events)" -eq 2 ]; }
  sentry_report() { echo "$(sentry_events) of 2 events in $file"; }
  verdict sentry "store+envelope" sentry_done sentry_report
}

# otelcol_sent: the collector's count of log records its file exporter wrote.
otelcol_sent() {
  curl -fsS --max-time 5 "http://$otelcol_metrics_addr/metrics" |
    awk '/^otelcol_exporter_sent_log_records[{ ]/ && /exporter="file"/ { n += $NF } END { print n + 0 }'
}

proof_otelcol() {
  local file=$run/otelcol-logs.jsonl before line
  before=$(otelcol_sent) || { fail otelcol "no metrics at http://$otelcol_metrics_addr/metrics"; return; }
  line="{\"proof\":\"$token\",\"via\":\"tcp_log\"}"
  printf '%s\n' "$line" >"/dev/tcp/$(host_of "$tcplog_addr")/$(port_of "$tcplog_addr")" &&
    curl -fsS -o /dev/null --max-time 5 -H 'Content-Type: application/json' "http://$otlp_addr/v1/logs" \
      -d "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"proof $token otlp\"}}]}]}]}" ||
    { fail otelcol "could not send to $tcplog_addr or $otlp_addr"; return; }
  # tcp_log: the line as the body, its keys as attributes; otlp: the body.
  otelcol_records() {
    local n=0
    grep -qF "\"body\":{\"stringValue\":\"${line//\"/\\\"}\"}" "$file" &&
      grep -qF "{\"key\":\"proof\",\"value\":{\"stringValue\":\"$token\"}}" "$file" && n=$((n + 1))
    grep -qF "\"stringValue\":\"proof $token otlp\"" "$file" && n=$((n + 1))
    echo "$n"
  }
  otelcol_done() { [ "$(otelcol_records)" -eq 2 ] && [ "$(otelcol_sent)" -ge $((before + 2)) ]; }
  otelcol_report() {
    echo "$(otelcol_records) of 2 records in $file," \
      "otelcol_exporter_sent_log_records{exporter=\"file\"} $before -> $(otelcol_sent)"
  }
  verdict otelcol "tcp_log+otlp/http" otelcol_done otelcol_report
}

# ---------------------------------------------------------------- stop, status

stop_one() {
  local name=$1 f=$run/$1.pid pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if running "$name"; then
    kill -TERM "$pid" 2>/dev/null
    until_ok 15 eval "! kill -0 $pid"
    if kill -0 "$pid" 2>/dev/null; then
      # setsid made the pid the process group of the server and its children
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
    say "$name: stopped (pid $pid)"
  fi
  rm -f "$f"
}

status_one() {
  local name=$1 addrs a
  if running "$name"; then echo "$name: running, pid $(cat "$run/$name.pid")"; else echo "$name: not running"; fi
  case $name in
    statsd) addrs="$statsd_addr $statsd_admin_addr" ;;
    rsyslog) addrs=$rsyslog_addr ;;
    sentry) addrs=$sentry_addr ;;
    otelcol) addrs="$otlp_addr $tcplog_addr $otelcol_metrics_addr" ;;
  esac
  for a in $addrs; do ss -Hlntup "src $a" 2>/dev/null | sed 's/^/    /'; done
}

# ---------------------------------------------------------------- steps

failed=()

step_install() {
  local c
  mkdir -p "$run" "$bin"
  for c in $peers; do
    if "install_$c" && "config_$c"; then :; else failed+=("$c: install"); fi
  done
}

step_start() {
  local c
  mkdir -p "$run" "$bin"
  for c in $peers; do
    if running "$c"; then
      say "$c: already running (pid $(cat "$run/$c.pid")), left alone"
      continue
    fi
    "config_$c" || { failed+=("$c: config"); continue; }
    if "start_$c"; then
      say "$c: up"
    else
      say "$c: did not come up"
      log_tail "$c"
      running "$c" && stop_one "$c"
      failed+=("$c: start")
    fi
  done
}

step_proof() {
  local c bad=0
  # 32 hex digits: unique per run, and usable as a Sentry event id.
  token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  for c in $peers; do
    if ! running "$c"; then
      fail "$c" "not running (run start)"
      bad=1
      continue
    fi
    if ! "proof_$c"; then
      log_tail "$c"
      bad=1
    fi
  done
  [ $bad = 0 ] || failed+=("proof")
}

step_stop() {
  local c
  for c in $peers; do stop_one "$c"; done
  rm -f "$run/rsyslog.sock"
}

step_status() {
  local c
  for c in $peers; do status_one "$c"; done
}

for c in $peers; do
  case " $all_peers " in
    *" $c "*) ;;
    *) say "unknown receiver '$c' in METLOG_PEERS (known: $all_peers)"; exit 2 ;;
  esac
done
check_addr statsd "$statsd_addr"
check_addr statsd-admin "$statsd_admin_addr"
check_addr rsyslog "$rsyslog_addr"
check_addr sentry "$sentry_addr"
check_addr otlp "$otlp_addr"
check_addr tcplog "$tcplog_addr"
check_addr otelcol-metrics "$otelcol_metrics_addr"

[ $# -gt 0 ] || set -- all
for step in "$@"; do
  case $step in
    install | start | proof | stop | status) "step_$step" ;;
    all) step_install; step_start; step_proof ;;
    *) echo "usage: $0 [install|start|status|proof|stop|all]..." >&2; exit 2 ;;
  esac
done
if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED: ${failed[*]}"
  exit 1
fi

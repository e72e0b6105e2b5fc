#!/usr/bin/env bash
# Development check for the field lab's packet delayer (loadtest/src/main/resources/dev/waterfall/loadtest/field/delayer.c).
# Not run by CI. Needs root and: gcc libnetfilter-queue-dev iperf3 iputils-ping iptables jq.
#
# Builds wf-delayer into a temp dir and wires three namespaces of its own:
#
#   wfd-a (10.99.1.2) --veth-- wfd-r router (10.99.1.1 | 10.99.2.1) --veth-- wfd-b (10.99.2.2)
#
# The router sends everything arriving on either interface to one NFQUEUE
# (raw PREROUTING, --queue-bypass), so each direction is delayed D once and a
# ping RTT should be 2*D. Nothing touches the root namespace's interfaces and
# no traffic leaves these namespaces. Everything is removed on exit, also on failure.
#
# Exits non-zero if the RTT is more than 5 ms from 2*D (with and without
# jitter) or from ~0 once the delayer is killed, if any packet is seen out of
# order, if the delayer uses CPU while idle, or if it misbehaves (no "ready",
# a second one binds the same queue, a non-zero exit on SIGTERM). Loss and
# outliers only warn: on a busy machine they measure the machine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/../../main/resources/dev/waterfall/loadtest/field/delayer.c
Q=7               # NFQUEUE number inside the router namespace
D=20              # one-way delay, ms
J=5               # jitter, ms (uniform +/-)
TOL=5             # allowed RTT error, ms
EXPECT=$((2 * D)) # both directions pass the router
NS_A=wfd-a NS_R=wfd-r NS_B=wfd-b
A=10.99.1.2 B=10.99.2.2

[[ $(id -u) == 0 ]] || { echo "needs root (namespaces, iptables)" >&2; exit 2; }
for tool in cc iperf3 ping iptables jq ip; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y gcc libnetfilter-queue-dev iperf3 iputils-ping iptables jq)" >&2; exit 2; }
done
for ns in $NS_A $NS_R $NS_B; do
    [[ ! -e /run/netns/$ns ]] || { echo "namespace $ns already exists; remove it first (ip netns del $ns)" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/wf-delayer-check.XXXXXX)
DELAYER_PID=
IPERF_PID=
created=()

cleanup() {
    local rc=$?
    set +e
    [[ -n $DELAYER_PID ]] && kill "$DELAYER_PID" 2>/dev/null
    [[ -n $IPERF_PID ]] && kill "$IPERF_PID" 2>/dev/null
    # Anything else still running in our namespaces was started by this script.
    for ns in "${created[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    sleep 0.2
    for ns in "${created[@]}"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail=0
bad() { echo "FAIL: $*"; fail=1; }
warn() { echo "WARN: $*"; }

# --- build -----------------------------------------------------------------
cc -O2 -Wall -Wextra -Werror -o "$TMP/wf-delayer" "$SRC" -lnetfilter_queue
BIN=$TMP/wf-delayer

# --- namespaces ------------------------------------------------------------
for ns in $NS_A $NS_R $NS_B; do ip netns add "$ns"; created+=("$ns"); done
# Veth pairs are created inside the router namespace with the peer put straight
# into the end namespace, so no interface ever appears in the root namespace.
ip -n $NS_R link add r0 type veth peer name a0 netns $NS_A
ip -n $NS_R link add r1 type veth peer name b0 netns $NS_B
ip -n $NS_A addr add $A/24 dev a0
ip -n $NS_R addr add 10.99.1.1/24 dev r0
ip -n $NS_R addr add 10.99.2.1/24 dev r1
ip -n $NS_B addr add $B/24 dev b0
for ns in $NS_A $NS_R $NS_B; do ip -n "$ns" link set lo up; done
ip -n $NS_A link set a0 up; ip -n $NS_B link set b0 up
ip -n $NS_R link set r0 up; ip -n $NS_R link set r1 up
ip -n $NS_A route add default via 10.99.1.1
ip -n $NS_B route add default via 10.99.2.1
ip netns exec $NS_R sysctl -qw net.ipv4.ip_forward=1
for ifc in r0 r1; do
    ip netns exec $NS_R iptables -t raw -A PREROUTING -i $ifc -j NFQUEUE --queue-num $Q --queue-bypass
done

# --- helpers ---------------------------------------------------------------
# Start the delayer in the router namespace and wait for its "ready" line.
start_delayer() {
    : >"$TMP/delayer.out"; : >"$TMP/delayer.err"
    ip netns exec $NS_R "$BIN" --queue $Q "$@" >"$TMP/delayer.out" 2>"$TMP/delayer.err" &
    DELAYER_PID=$! # ip netns exec execs the program, so this is the delayer itself
    for _ in $(seq 100); do
        grep -qx ready "$TMP/delayer.out" && return 0
        kill -0 "$DELAYER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "delayer did not become ready:"; cat "$TMP/delayer.err"; exit 1
}
# Stop it with SIGTERM; it must exit 0 and print its stats line.
stop_delayer() {
    kill -TERM "$DELAYER_PID"
    local rc=0; wait "$DELAYER_PID" || rc=$?
    DELAYER_PID=
    echo "  delayer: $(tail -n1 "$TMP/delayer.err")"
    [[ $rc == 0 ]] || bad "delayer exited $rc on SIGTERM"
}
# packets the kernel has queued to our NFQUEUE so far (its id sequence)
queued_total() { ip netns exec $NS_R awk -v q=$Q '$1 == q { print $8 }' /proc/net/netfilter/nfnetlink_queue; }
# utime+stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# ping from a to b; prints "min avg median max mdev loss%". The median shows
# whether a mean that is off comes from a few stalls (a busy machine) or from all.
ping_stats() {
    ip netns exec $NS_A ping -n "$@" $B | awk -F'[ /%]+' '
        /time=/       { for (i = 1; i <= NF; i++) if ($i ~ /^time=/) { sub("time=", "", $i); t[++n] = $i + 0 } }
        /packet loss/ { for (i = 1; i <= NF; i++) if ($(i+1) == "packet") loss = $i }
        /^rtt/        { min = $7; avg = $8; max = $9; mdev = $10 }
        END           { for (i = 2; i <= n; i++) { v = t[i]; for (j = i - 1; j > 0 && t[j] > v; j--) t[j+1] = t[j]; t[j+1] = v }
                        med = n ? (n % 2 ? t[(n+1)/2] : (t[n/2] + t[n/2+1]) / 2) : 0
                        print min+0, avg+0, med, max+0, mdev+0, loss+0 }'
}
within() { awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN { exit !(v >= e - t && v <= e + t) }'; }
# receiver-side TCP out-of-order count (from /proc/net/netstat in namespace b)
tcp_ofo() {
    ip netns exec $NS_B awk '/^TcpExt:/ { if (!n) { split($0, k); n = 1 } else { split($0, v); for (i in k) if (k[i] == "TCPOFOQueue") print v[i] } }' /proc/net/netstat
}

ip netns exec $NS_B iperf3 -s >/dev/null 2>&1 &
IPERF_PID=$!
sleep 0.3

echo "== wf-delayer check: D=$D ms, J=$J ms, queue $Q; expected RTT $EXPECT ms (+/- $TOL)"
# figures below are only as good as the machine is idle
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# --- 0. no listener on the queue: --queue-bypass accepts undelayed ---------
read -r mn avg med mx md loss < <(ping_stats -c 5 -i 0.1)
echo "no delayer bound (--queue-bypass): rtt avg $avg ms, loss $loss%"
[[ $loss == 0 ]] || bad "traffic blocked while no delayer is bound"

# --- 1. D=20, J=0 -----------------------------------------------------------
start_delayer --delay-ms $D
read -r mn avg med mx md loss < <(ping_stats -c 30 -i 0.1)
echo "D=$D J=0: rtt min/avg/median/max/mdev $mn/$avg/$med/$mx/$md ms, loss $loss%"
within "$avg" $EXPECT $TOL || bad "RTT $avg ms, expected $EXPECT +/- $TOL"
t0=$(cpu_ticks "$DELAYER_PID"); sleep 3; t1=$(cpu_ticks "$DELAYER_PID")
echo "idle CPU over 3 s: $((t1 - t0)) ticks (of $(( 3 * $(getconf CLK_TCK) )))"
(( t1 - t0 <= 1 )) || bad "delayer uses CPU while idle"
# a second delayer on the same queue must refuse, loudly
rc=0; msg=$(ip netns exec $NS_R "$BIN" --queue $Q --delay-ms 1 2>&1 </dev/null) || rc=$?
echo "second delayer on queue $Q: exit $rc, \"$msg\""
[[ $rc != 0 && $msg != *ready* ]] || bad "a second delayer bound the same queue"
stop_delayer

# --- 2. D=20, J=5 -----------------------------------------------------------
start_delayer --delay-ms $D --jitter-ms $J --seed 42
# 50 ms between pings: wider than the jitter window, so FIFO clamping is rare
read -r mn avg med mx md loss < <(ping_stats -c 200 -i 0.05)
echo "D=$D J=$J: rtt min/avg/median/max/mdev $mn/$avg/$med/$mx/$md ms, loss $loss% (bounds $((EXPECT - 2 * J))..$((EXPECT + 2 * J)))"
within "$avg" $EXPECT $TOL || bad "RTT $avg ms with jitter, expected $EXPECT +/- $TOL"
# single outliers come from scheduling on a busy machine, so only warn
within "$mn" $EXPECT $((2 * J + 1)) && within "$mx" $EXPECT $((2 * J + 1)) || warn "RTT outside the jitter window"

# --- 3. UDP 20 Mbit/s with jitter: order, loss, CPU -------------------------
# a ping alongside shows the delay at this packet rate (see the report)
ip netns exec $NS_A ping -n -q -c 90 -i 0.1 $B >"$TMP/ping-load" 2>&1 &
ping_pid=$!
c0=$(cpu_ticks "$DELAYER_PID"); w0=$(date +%s%N); s0=$(queued_total)
ip netns exec $NS_A iperf3 -c $B -u -b 20M -t 10 -J >"$TMP/udp.json"
c1=$(cpu_ticks "$DELAYER_PID"); w1=$(date +%s%N); s1=$(queued_total)
wait $ping_pid || true
udp_mbps=$(jq '.end.sum.bits_per_second / 1e6' "$TMP/udp.json")
udp_pkts=$(jq '.end.sum.packets' "$TMP/udp.json")
udp_lost=$(jq '.end.sum.lost_packets' "$TMP/udp.json")
udp_lossp=$(jq '.end.sum.lost_percent' "$TMP/udp.json")
udp_ooo=$(jq '[.end.streams[].udp.out_of_order // 0] | add' "$TMP/udp.json")
printf 'UDP 20M for 10 s (J=%s): %.2f Mbit/s, %s packets, lost %s (%.3f%%), out of order %s\n' \
    $J "$udp_mbps" "$udp_pkts" "$udp_lost" "$udp_lossp" "$udp_ooo"
# FIFO clamping at ~1700 packets/s pushes each delay towards D+J, and one
# queue for both directions puts replies behind the flow's packets
echo "  ping alongside the 20M flow: $(awk '/^rtt/ { print $2, $4, "ms" }' "$TMP/ping-load")"
(( udp_ooo == 0 )) || bad "$udp_ooo UDP packets out of order"
awk -v l="$udp_lossp" 'BEGIN { exit !(l < 1) }' || warn "UDP loss $udp_lossp% at 20 Mbit/s (a busy machine? see kernel drop counters below)"
awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v w=$(( (w1 - w0) / 1000000 )) -v p=$((s1 - s0)) 'BEGIN {
    cpu_ms = t * 1000 / hz
    printf "  delayer CPU during the run: %.0f ms over %.1f s = %.1f%% of a core; %d packets queued = %.1f us per packet\n",
        cpu_ms, w / 1000, 100 * cpu_ms / w, p, cpu_ms * 1000 / p }'
stop_delayer

# --- 4. TCP paced at 20 Mbit/s with jitter: order ---------------------------
start_delayer --delay-ms $D --jitter-ms $J --seed 7
ofo0=$(tcp_ofo)
ip netns exec $NS_A iperf3 -c $B -b 20M -t 10 -J >"$TMP/tcp.json"
ofo1=$(tcp_ofo)
tcp_mbps=$(jq '.end.sum_received.bits_per_second / 1e6' "$TMP/tcp.json")
tcp_retr=$(jq '.end.sum_sent.retransmits' "$TMP/tcp.json")
printf 'TCP 20M for 10 s (J=%s): %.2f Mbit/s received, %s retransmits, receiver out-of-order queueings %s\n' \
    $J "$tcp_mbps" "$tcp_retr" "$((ofo1 - ofo0))"
(( ofo1 - ofo0 == 0 )) || bad "TCP segments arrived out of order ($((ofo1 - ofo0)))"
stop_delayer

# --- 5. the delayer dies: --queue-bypass lets traffic through undelayed ----
start_delayer --delay-ms $D
ip netns exec $NS_A ping -n -c 300 -i 0.01 $B >"$TMP/ping-kill" 2>&1 &
ping_pid=$!
sleep 1
kill -KILL "$DELAYER_PID"; wait "$DELAYER_PID" 2>/dev/null || true; DELAYER_PID=
wait $ping_pid || true
sent=$(awk '/packets transmitted/ { print $1 }' "$TMP/ping-kill")
recv=$(awk '/packets transmitted/ { print $4 }' "$TMP/ping-kill")
echo "SIGKILL mid-flow (ping every 10 ms): $((sent - recv)) of $sent lost (the ones held at the kill)"
read -r mn avg med mx md loss < <(ping_stats -c 5 -i 0.1)
echo "after the delayer died: rtt avg $avg ms, loss $loss%"
[[ $loss == 0 ]] && within "$avg" 0 2 || bad "traffic not flowing undelayed after the delayer died"

# --- 6. SIGTERM mid-flow: held packets are released, not dropped ------------
start_delayer --delay-ms $D
ip netns exec $NS_A ping -n -c 300 -i 0.01 $B >"$TMP/ping-term" 2>&1 &
ping_pid=$!
sleep 1
stop_delayer
wait $ping_pid || true
sent=$(awk '/packets transmitted/ { print $1 }' "$TMP/ping-term")
recv=$(awk '/packets transmitted/ { print $4 }' "$TMP/ping-term")
echo "SIGTERM mid-flow (ping every 10 ms): $((sent - recv)) of $sent lost"
(( sent == recv )) || warn "SIGTERM lost packets (held ones should be accepted)"

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v n="$(nproc)" 'BEGIN { exit !(l > 2 * n) }' &&
    echo "(the machine was busy: a mean off while the median is near $EXPECT ms is scheduling, not the delayer; rerun when quiet)"
if (( fail )); then echo "== delayer check FAILED"; exit 1; fi
echo "== delayer check passed"

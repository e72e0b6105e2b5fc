#!/usr/bin/env bash
# Real OBS Studio (29.x, Debian's obs-studio) publishing to a real `waterfall publish --rtmp` origin on 127.0.0.1,
# headless under Xvfb, over RTMPS (default) or plain RTMP (--plain). Passes when the origin cuts HLS segments
# from what OBS sent; with --wrong-key (OBS given the key with one character more), when the origin refuses it and
# cuts none. Skips (exit 0, says so) when obs or xvfb-run is missing. Not run by CI (OBS is ~100 MB of packages).
#
#   loadtest/src/test/lab/obs-publish.sh [--plain] [--wrong-key] [--seconds N]
#
# Everything lives in a temporary directory and is stopped at exit: a coordinator (its own Hazelcast cluster name
# and port), the origin, Xvfb and OBS. OBS's librtmp verifies the server's certificate against /etc/ssl/certs only,
# so for RTMPS OBS runs in a mount namespace of its own where /etc/ssl/certs holds the lab CA: the machine's trust
# store is not touched. mbedTLS 2.x matches host names, not IP addresses, so OBS's server is rtmps://localhost.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
plain=0
wrong=0
seconds=20
while [ $# -gt 0 ]; do
  case "$1" in
    --plain) plain=1 ;;
    --wrong-key) wrong=1 ;;
    --seconds) seconds="$2"; shift ;;
    *) echo "usage: $0 [--plain] [--wrong-key] [--seconds N]" >&2; exit 64 ;;
  esac
  shift
done
for tool in obs xvfb-run openssl curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not installed (Debian: apt-get install -y obs-studio xvfb xauth)"; exit 0
  fi
done
jar="$root/relay-node/launcher/target/waterfall.jar"
[ -f "$jar" ] || { echo "build first: ./mvnw install -DskipTests" >&2; exit 69; }

work="$(mktemp -d /tmp/waterfall-obs.XXXXXX)"
pids=()
# each started with setsid: its pid is its process group, so xvfb-run's Xvfb and OBS stop with it
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "logs in $work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A lab CA and a certificate for localhost and 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=waterfall-obs-lab-ca \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$work/key.pem" -out "$work/cert.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  > "$work/ext"
openssl x509 -req -in "$work/cert.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -extfile "$work/ext" -out "$work/cert.pem" 2>/dev/null

admin="obs-lab-admin-$RANDOM$RANDOM$RANDOM"
cport="$(free_port)"; hport="$(free_port)"; rport="$(free_port)"
setsid java -Xmx256m -jar "$jar" coordinator --port "$cport" --admin-token "$admin" --cluster-port "$(free_port)" \
  --set cluster.name="obs-lab-$$" > "$work/coordinator.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do curl -fs "http://127.0.0.1:$cport/health" >/dev/null 2>&1 && break; sleep 0.5; done
key="$(curl -fs -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"name":"obs","type":"hls","bitrateKbps":2000,"maxChildren":4}' "http://127.0.0.1:$cport/api/streams" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["publishKey"])')"

tls=()
scheme=rtmp
if [ "$plain" = 0 ]; then tls=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem"); scheme=rtmps; fi
setsid java -Xmx256m -jar "$jar" publish --coordinator "http://127.0.0.1:$cport" --stream obs --key "$key" \
  --rtmp "$rport" --http-port "$hport" --signing-key "$work/signing.pem" "${tls[@]}" > "$work/origin.log" 2>&1 &
pids+=($!)
hls="http://127.0.0.1:$hport/hls/obs/index.m3u8"
curl_tls=(); [ "$plain" = 0 ] && hls="https://127.0.0.1:$hport/hls/obs/index.m3u8" && curl_tls=(--cacert "$work/ca.pem")
for _ in $(seq 120); do grep -q "publishing 'obs'" "$work/origin.log" && break; sleep 0.5; done

# OBS: a profile whose stream service is a custom RTMP(S) server + key, a scene with a colour source and a clock.
cfg="$work/home/.config/obs-studio"
mkdir -p "$cfg/basic/profiles/Waterfall" "$cfg/basic/scenes"
cat > "$cfg/global.ini" <<EOF
[General]
FirstRun=true
LastVersion=486539266
EnableAutoUpdates=false
ConfirmOnExit=false
[Basic]
Profile=Waterfall
ProfileDir=Waterfall
SceneCollection=Waterfall
SceneCollectionFile=Waterfall
EOF
cat > "$cfg/basic/profiles/Waterfall/basic.ini" <<EOF
[General]
Name=Waterfall
[Output]
Mode=Simple
[SimpleOutput]
VBitrate=1500
ABitrate=128
StreamEncoder=x264
Preset=veryfast
[Video]
BaseCX=640
BaseCY=360
OutputCX=640
OutputCY=360
FPSType=0
FPSCommon=30
[Audio]
SampleRate=48000
ChannelSetup=Stereo
EOF
server="$scheme://localhost:$rport/live"
obs_key="$key"; [ "$wrong" = 1 ] && obs_key="${key}x"
cat > "$cfg/basic/profiles/Waterfall/service.json" <<EOF
{"type":"rtmp_custom","settings":{"server":"$server","key":"$obs_key","use_auth":false,"bwtest":false}}
EOF
cat > "$cfg/basic/scenes/Waterfall.json" <<'EOF'
{"name":"Waterfall","current_scene":"Scene","current_program_scene":"Scene","scene_order":[{"name":"Scene"}],
 "sources":[
  {"id":"scene","versioned_id":"scene","name":"Scene","settings":{"id_counter":2,"items":[
    {"name":"Colour","id":1,"visible":true,"pos":{"x":0,"y":0},"scale":{"x":1,"y":1}},
    {"name":"Clock","id":2,"visible":true,"pos":{"x":40,"y":140},"scale":{"x":1,"y":1}}]}},
  {"id":"color_source","versioned_id":"color_source_v3","name":"Colour",
   "settings":{"color":4283190348,"width":640,"height":360}},
  {"id":"text_ft2_source","versioned_id":"text_ft2_source_v2","name":"Clock",
   "settings":{"text":"Waterfall OBS lab","font":{"face":"DejaVu Sans","size":48}}}
 ]}
EOF

obs_cmd=(env HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" LIBGL_ALWAYS_SOFTWARE=1
  xvfb-run -a -s "-screen 0 1280x720x24" obs --multi --disable-shutdown-check --minimize-to-tray
  --profile Waterfall --collection Waterfall --startstreaming)
if [ "$plain" = 0 ]; then
  # OBS trusts /etc/ssl/certs only: show it the lab CA there, in its own mount namespace.
  mkdir -p "$work/certs" && cp "$work/ca.pem" "$work/certs/waterfall-obs-lab-ca.pem"
  obs_cmd=(unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/ssl/certs && exec "$@"'
    "$work/certs" "${obs_cmd[@]}")
fi
setsid "${obs_cmd[@]}" > "$work/obs.log" 2>&1 &
pids+=($!)
echo "OBS $(obs --version 2>/dev/null | tail -1) → $server (stream key: the publish key), origin $hls"

if [ "$wrong" = 1 ]; then
  deadline=$((SECONDS + seconds + 60))
  until grep -q "wrong stream key" "$work/origin.log" || [ $SECONDS -ge $deadline ]; do sleep 1; done
  sleep "$seconds" # OBS retries meanwhile
  refusals="$(grep -c "wrong stream key" "$work/origin.log" || true)"
  segments="$(curl -fs "${curl_tls[@]}" "$hls" 2>/dev/null | grep -c '\.ts' || true)"
  if [ "${refusals:-0}" -ge 1 ] && [ "${segments:-0}" = 0 ] && ! grep -q "ffmpeg started" "$work/origin.log"; then
    echo "PASS: OBS with a wrong key refused $refusals time(s) over $scheme://, no encoder started, no segments"
    exit 0
  fi
  echo "FAIL: refusals=$refusals segments=$segments; see $work/origin.log" >&2
  exit 1
fi
deadline=$((SECONDS + seconds + 60))
segments=0
while [ $SECONDS -lt $deadline ]; do
  segments="$(curl -fs "${curl_tls[@]}" "$hls" 2>/dev/null | grep -c '\.ts' || true)"
  [ "${segments:-0}" -ge 3 ] && break
  sleep 1
done
grep -E "RTMP|publishing|refused" "$work/origin.log" | tail -5 || true
if [ "${segments:-0}" -ge 3 ]; then
  echo "PASS: $segments segments at the origin from OBS over $scheme://"
  curl -fs "${curl_tls[@]}" "$hls" | tail -4
  exit 0
fi
echo "FAIL: no segments from OBS after $((seconds + 60)) s; see $work/obs.log, origin.log" >&2
tail -20 "$work/obs.log" >&2 || true
exit 1

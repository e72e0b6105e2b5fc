package dev.waterfall.testkit.chromium;

import com.microsoft.playwright.Page;
import java.util.Map;

/**
 * A WHIP client (RFC 9725) in a headless Chromium page that does what OBS 30+ does: one sendonly
 * audio (Opus) and one sendonly video transceiver, the video codec chosen with setCodecPreferences
 * (OBS sends H.264), the offer POSTed once ICE gathering is complete with {@code Authorization:
 * Bearer <key>}, the 201's answer applied, and {@code DELETE <Location>} to stop. The picture is
 * rt/clock.js's clock (so pages can read glass-to-glass latency off it), the sound Chromium's fake
 * microphone (a beep). The page lives on the coordinator's origin, so its POST to the relay is
 * cross-origin, as a browser publisher's would be. Chromium needs {@link Chromium#FAKE_MEDIA} for
 * the microphone. Shared by relay-node's WhipIT and the loadtest's latency scenario.
 */
public final class WhipClient {
  private static final String PUBLISH =
      """
      async ({url, key, codec, fps}) => {
        const clock = await import('/web/rt/clock.js');
        const video = clock.clockStream(fps).getVideoTracks()[0];
        const mic = (await navigator.mediaDevices.getUserMedia({audio: true})).getAudioTracks()[0];
        const pc = new RTCPeerConnection();
        pc.addTransceiver(mic, {direction: 'sendonly'});
        const v = pc.addTransceiver(video, {direction: 'sendonly'});
        const codecs = RTCRtpSender.getCapabilities('video').codecs;
        const wanted = codecs.filter(c => c.mimeType.toLowerCase() === 'video/' + codec.toLowerCase()
            && (codec !== 'H264' || (c.sdpFmtpLine || '').includes('packetization-mode=1')));
        if (!wanted.length) return {status: -1, body: 'this Chromium cannot send ' + codec};
        v.setCodecPreferences(wanted);
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise(done => {
          if (pc.iceGatheringState === 'complete') return done();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && done());
        });
        const postedAt = Date.now();
        const res = await fetch(url, {method: 'POST', body: pc.localDescription.sdp,
            headers: {'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + key}});
        const body = await res.text();
        if (res.status !== 201) { pc.close(); return {status: res.status, body: body}; }
        const answeredAt = Date.now();
        await pc.setRemoteDescription({type: 'answer', sdp: body});
        const location = new URL(res.headers.get('Location'), url).href;
        window.whip = {pc: pc, location: location, key: key};
        return {status: 201, location: location, postedAt: postedAt, answeredAt: answeredAt,
            contentType: res.headers.get('Content-Type'), answer: body};
      }""";

  /** What the sender's encoder says (getStats): codec, frames encoded, and which encoder. */
  private static final String SENT =
      """
      async () => {
        const out = {framesEncoded: 0, codec: null, encoder: null, connection: window.whip.pc.connectionState};
        const stats = await window.whip.pc.getStats();
        stats.forEach(r => {
          if (r.type === 'outbound-rtp' && r.kind === 'video') {
            out.framesEncoded = r.framesEncoded || 0;
            out.encoder = r.encoderImplementation || null;
            const c = r.codecId && stats.get(r.codecId);
            out.codec = c ? c.mimeType + ' ' + (c.sdpFmtpLine || '') : null;
          }
        });
        return out;
      }""";

  private static final String DELETE =
      """
      async () => {
        const res = await fetch(window.whip.location, {method: 'DELETE',
            headers: {'Authorization': 'Bearer ' + window.whip.key}});
        window.whip.pc.close();
        return res.status;
      }""";

  public final Page page;

  public WhipClient(Chromium chromium, String coordinatorBase) {
    page = chromium.newPeerPage();
    // any page of the coordinator's origin, for clock.js
    page.navigate(coordinatorBase + "/health");
  }

  /**
   * Publishes to {@code url}; the result: status, and for 201 location, postedAt and answeredAt
   * (this machine's clock, ms), contentType, answer; else body.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> publish(String url, String key, String codec, int fps) {
    return (Map<String, Object>)
        page.evaluate(PUBLISH, Map.of("url", url, "key", key, "codec", codec, "fps", fps));
  }

  @SuppressWarnings("unchecked")
  public Map<String, Object> sent() {
    return (Map<String, Object>) page.evaluate(SENT);
  }

  /** DELETEs the session (its status) and closes the connection. */
  public int stop() {
    return ((Number) page.evaluate(DELETE)).intValue();
  }

  public void close() {
    page.context().close();
  }
}

package dev.waterfall.relay.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.ReparentReason;
import dev.waterfall.protocol.StreamType;
import dev.waterfall.relay.node.StreamRelay;
import dev.waterfall.relay.peer.IceConfiguration;
import dev.waterfall.relay.peer.PeerFactory;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A booster in a realtime stream: receives its parent's video track over one RTCPeerConnection and
 * sends that same track to each child ({@code replaceTrack} of the receiver's track), as a viewer
 * page does (docs/architecture.md "Realtime mode"). libwebrtc decodes the parent's video once and
 * encodes it once per child: that is the CPU a realtime booster pays per child. <b>Audio is not a
 * track here:</b> in webrtc-java 0.14.0 a received audio track put on a sender aborts the JVM
 * (libwebrtc's {@code Check failed: !race_checker.RaceDetected()} in audio_send_stream.cc: remote
 * audio reaches the send stream on the wrong thread), and re-pushing it through a {@code
 * CustomAudioSource} crashes with the headless audio module. So audio comes as Opus chunks on each
 * edge's {@code rt-audio} DataChannel and {@link AudioChunkRelay} forwards them verbatim to every
 * child. Re-parenting is make-before-break, as in the pages: the children move to the new parent's
 * tracks when its first frame arrives, then the old edge closes. <b>As the root</b> (an origin fed
 * over WHIP, {@code dev.waterfall.relay.whip}) there is no parent edge: the publisher's session
 * hands its video track to {@link #publish} and its audio, as chunks, to {@link #publishAudio}, and
 * the children are served exactly as a booster serves them. All state lives on the node's context.
 */
public final class TrackRelay implements StreamRelay, TrackEdge.Events {
  private static final Logger LOG = LoggerFactory.getLogger(TrackRelay.class);
  private final Context context;
  private final PeerFactory peers;
  private final Consumer<Message> signalling;
  private final Map<String, TrackEdge> children = new LinkedHashMap<>();
  private List<Message.IceServer> ice = List.of();
  private int bitrateKbps;
  private TrackEdge parent;
  private TrackEdge pendingParent;
  private long ticks;

  /** Root only: the publisher's video track (null while nobody publishes). */
  private MediaStreamTrack rootVideo;

  private MediaStreamTrack[] placeholders;

  /** Counters of closed edges, so the totals only rise (Prometheus counters). */
  private final long[] retired = new long[4];

  /**
   * Audio, as chunks on DataChannels from the parent to every child (a received audio track cannot
   * be sent).
   */
  private final AudioChunkRelay audio = new AudioChunkRelay();

  public TrackRelay(Context context, PeerFactory peers, Consumer<Message> signalling) {
    this.context = context;
    this.peers = peers;
    this.signalling = signalling;
  }

  /**
   * Whether a welcome names a realtime stream (an older coordinator's welcome has no type: HLS).
   */
  public static boolean isRealtime(Message.Welcome w) {
    return w.stream() != null && StreamType.REALTIME.is(w.stream().type());
  }

  @Override
  public void welcome(Message.Welcome w) {
    ice = w.iceServers() == null ? List.of() : w.iceServers();
    bitrateKbps = w.stream() == null ? 0 : w.stream().bitrateKbps();
    connectTo(w.parent());
  }

  @Override
  public void message(Message m) {
    if (m instanceof Message.Signal s) {
      TrackEdge target =
          pendingParent != null && pendingParent.peerId.equals(s.from())
              ? pendingParent
              : parent != null && parent.peerId.equals(s.from()) ? parent : children.get(s.from());
      if (target == null) {
        target = addChild(s.from()); // its offer overtook the childJoined notice
      }
      target.signal(s.data());
    } else if (m instanceof Message.Reparent r) {
      if (ReparentReason.ORIGIN_RECONNECTED.is(r.reason()) && parent != null) {
        parent.close("origin reconnected"); // same id, new page behind it
      }
      connectTo(r.parent());
    } else if (m instanceof Message.ChildJoined c) {
      TrackEdge old = children.get(c.child());
      if (old != null) {
        old.close("joined again");
      }
      addChild(c.child());
    } else if (m instanceof Message.IceServers i) {
      ice = i.iceServers() == null ? List.of() : i.iceServers(); // for the edges opened from now on
    } else if (m instanceof Message.ChildLeft c) {
      TrackEdge old = children.get(c.child());
      if (old != null) {
        old.close("left");
      }
    }
  }

  private TrackEdge addChild(String id) {
    peers.madeMediaEdge();
    TrackEdge e = TrackEdge.toChild(id, bitrateKbps, wiring());
    children.put(id, e);
    if (feed() != null) {
      e.send(feed(), null);
    }
    return e;
  }

  private void connectTo(String parentId) {
    if (parentId == null || (parent != null && !parent.closed && parent.peerId.equals(parentId))) {
      return;
    }
    if (pendingParent != null) {
      pendingParent.close("replaced");
    }
    if (placeholders == null) {
      PeerConnectionFactory f = peers.mediaFactory();
      placeholders =
          new MediaStreamTrack[] {f.createVideoTrack("recv-video", new CustomVideoSource())};
    }
    peers.madeMediaEdge();
    pendingParent = TrackEdge.toParent(parentId, wiring(), placeholders);
  }

  /** What the next edge is made with (the ICE servers as the coordinator last sent them). */
  private EdgeWiring wiring() {
    return new EdgeWiring(
        peers.mediaFactory(),
        iceConfiguration(),
        context,
        peers.teardown(),
        peers.sends(),
        this::signal,
        this);
  }

  /** The video the children get: the parent's, or at the root the publisher's. */
  private MediaStreamTrack feed() {
    return parent != null ? parent.video : rootVideo;
  }

  /**
   * Root: sends {@code video} (a track received from the publisher; null: none) to every child from
   * now on, with {@code replaceTrack}, so a new publisher session needs no renegotiation down the
   * tree.
   */
  public void publish(MediaStreamTrack video) {
    rootVideo = video;
    for (TrackEdge c : children.values()) {
      c.send(video, null);
    }
    LOG.info(
        "{} to {} children",
        video == null ? "no video from the publisher" : "the publisher's video goes",
        children.size());
  }

  /**
   * Root: one chunk of the publisher's audio (an {@link AudioChunk} message), for every child's
   * rt-audio.
   */
  public void publishAudio(byte[] message) {
    audio.fromParent(message);
  }

  /** The ICE servers of the last welcome (or ice-servers), as a connection's configuration. */
  public dev.onvoid.webrtc.RTCConfiguration iceConfiguration() {
    return IceConfiguration.of(ice, peers.settings().relayOnly());
  }

  private void signal(String to, ObjectNode data) {
    signalling.accept(new Message.Signal(null, to, data));
  }

  @Override
  public void flowing(TrackEdge edge) {
    if (edge != pendingParent) {
      return;
    }
    TrackEdge old = parent;
    parent = edge;
    pendingParent = null;
    for (TrackEdge c : children.values()) {
      c.send(feed(), null);
    }
    LOG.info(
        "media from parent {} flows; forwarding it to {} children", edge.peerId, children.size());
    if (old != null) {
      old.close("replaced by " + edge.peerId);
    }
  }

  @Override
  public void closed(TrackEdge edge, String why) {
    retire(edge);
    if (edge == parent) {
      LOG.info("edge to parent {} closed ({})", edge.peerId, why);
      parent = null;
    } else if (edge == pendingParent) {
      pendingParent = null;
    } else if (children.get(edge.peerId) == edge) {
      children.remove(edge.peerId);
    }
    if (edge.audioSink() != null) {
      audio.removeChild(edge.audioSink());
    }
  }

  @Override
  public void audio(TrackEdge edge, byte[] message) {
    if (edge == parent) {
      // a pending parent's audio waits until its video flows, as its video does
      audio.fromParent(message);
    }
  }

  @Override
  public void audioChannel(TrackEdge edge, AudioChannel channel) {
    if (children.get(edge.peerId) == edge) {
      audio.addChild(edge.peerId, channel);
    }
  }

  /** The audio chunks forwarded: counters for stats and tests. */
  public AudioChunkRelay audio() {
    return audio;
  }

  /** Child edges open or opening. */
  @Override
  public int children() {
    return children.size();
  }

  /** The parent whose media this node forwards (null until its first frame). */
  @Override
  public String parentId() {
    return parent == null ? null : parent.peerId;
  }

  /** Video frames received from the current parent. */
  public long framesFromParent() {
    return parent == null ? 0 : parent.frames;
  }

  /** Asks every edge for its RTP counters (what {@link #stats} reads once they answer). */
  /** No segments, nothing to heal: only the tracks' counters, asked for once a second. */
  @Override
  public void tick(long now) {
    if (++ticks % (1000 / TICK_MS) == 0) {
      pollStats();
    }
  }

  public void pollStats() {
    for (TrackEdge e : edges()) {
      e.pollStats();
    }
  }

  /**
   * Totals since start: frames (counted by the sink) and bytes from parents; frames encoded and
   * bytes sent.
   */
  public TrackStats stats() {
    long[] t = retired.clone();
    Map<String, TrackStats.Child> perChild = new LinkedHashMap<>();
    for (TrackEdge e : edges()) {
      if (e.toParent) {
        t[0] += e.frames;
        t[1] += e.rtp.bytes();
      } else {
        RtpCounters r = e.rtp;
        t[2] += r.videoFrames();
        t[3] += r.bytes();
        perChild.put(e.peerId, new TrackStats.Child(r.videoFrames(), r.bytes()));
      }
    }
    return new TrackStats(t[0], t[1], t[2], t[3], perChild);
  }

  private void retire(TrackEdge e) {
    if (e.toParent) {
      retired[0] += e.frames;
      retired[1] += e.rtp.bytes();
    } else {
      retired[2] += e.rtp.videoFrames();
      retired[3] += e.rtp.bytes();
    }
  }

  private List<TrackEdge> edges() {
    List<TrackEdge> out = new ArrayList<>(children.values());
    for (TrackEdge p : new TrackEdge[] {parent, pendingParent}) {
      if (p != null && !p.closed) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public void close() {
    for (TrackEdge c : new ArrayList<>(children.values())) {
      c.close("leaving");
    }
    if (parent != null) {
      parent.close("leaving");
    }
    if (pendingParent != null) {
      pendingParent.close("leaving");
    }
  }
}

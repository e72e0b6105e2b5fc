package dev.waterfall.relay.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import dev.waterfall.relay.peer.Signals;
import io.vertx.core.Context;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One realtime tree edge in Java, the twin of the page's {@code rt/edges.js}: an RTCPeerConnection
 * carrying media tracks. The child offers one recvonly video and one recvonly audio transceiver;
 * the parent answers sendonly and puts whatever tracks it has on the senders with {@code
 * replaceTrack}, so nothing is ever renegotiated. Every native callback is moved onto the node's
 * context; native calls are made there too. Audio travels as encoded chunks on an {@code rt-audio}
 * DataChannel that the child end opens with its offer ({@link AudioChannel}); our offers and
 * answers say {@code "role":"booster"} so that a page at the other end uses it.
 */
final class TrackEdge {
  private static final Logger LOG = LoggerFactory.getLogger(TrackEdge.class);
  private static final int MAX_PENDING_CANDIDATES = 200;

  /** What the relay does with an edge's events, on its context. */
  interface Events {
    /** A parent edge's first video frame arrived: its tracks carry media now. */
    void flowing(TrackEdge edge);

    void closed(TrackEdge edge, String why);

    /**
     * Parent edge: one message on its {@code rt-audio} channel (an encoded audio chunk, unchecked).
     */
    default void audio(TrackEdge edge, byte[] message) {}

    /** Child edge: the child opened its {@code rt-audio} channel, to be sent audio chunks on. */
    default void audioChannel(TrackEdge edge, AudioChannel channel) {}
  }

  final String peerId;
  final boolean toParent;
  private final Context context;
  private final Executor teardown;

  /**
   * Where the rt-audio channel's sends run (the factory's sender thread), off the node's context.
   */
  private final Executor sends;

  private final BiConsumer<String, ObjectNode> signalOut;
  private final Events events;
  private final RTCPeerConnection pc;
  private final RemoteCandidates<RTCIceCandidate> candidates;
  private boolean offerSeen;
  private boolean flowing;

  /** Child edge only: the stream's bitrate, what placement counted this child's slot with. */
  private int maxVideoKbps;

  boolean closed;

  /**
   * Parent edge only: the receivers' tracks, there from the start and silent until media arrives.
   */
  MediaStreamTrack video;

  MediaStreamTrack audio;

  /** Parent edge only: video frames received (decoded) so far; written on a native thread. */
  volatile long frames;

  private VideoTrackSink sink;

  /**
   * RTP counters from the last {@link #pollStats} (written on a native thread): what arrived from
   * the parent (inbound-rtp) or what was sent to the child (outbound-rtp), bytes of every kind and
   * video frames.
   */
  volatile RtpCounters rtp = RtpCounters.NONE;

  /** Child edge only: what to send (put on the senders once the offer is applied). */
  private MediaStreamTrack pendingVideo;

  private MediaStreamTrack pendingAudio;

  /**
   * The edge's rt-audio channel: audio as encoded chunks, since a booster can send no audio track.
   */
  private AudioChannel audioChannel;

  private TrackEdge(String peerId, boolean toParent, EdgeWiring wiring) {
    this.peerId = peerId;
    this.toParent = toParent;
    Context context = wiring.context();
    Executor sends = wiring.sends();
    BiConsumer<String, ObjectNode> signalOut = wiring.signalOut();
    Events events = wiring.events();
    this.context = context;
    this.teardown = wiring.teardown();
    this.sends = sends;
    this.signalOut = signalOut;
    this.events = events;
    this.pc =
        wiring
            .factory()
            .createPeerConnection(
                wiring.config(),
                new PeerConnectionObserver() {
                  @Override
                  public void onIceCandidate(RTCIceCandidate c) {
                    context.runOnContext(
                        v -> {
                          if (!closed) {
                            signalOut.accept(
                                peerId,
                                Signals.toJson(
                                    new Signals.Candidate(
                                        c.sdp, c.sdpMid == null ? "" : c.sdpMid, c.sdpMLineIndex)));
                          }
                        });
                  }

                  @Override
                  public void onDataChannel(RTCDataChannel channel) {
                    if (toParent || !AudioChannel.LABEL.equals(channel.getLabel())) {
                      channel.close(); // nothing else is expected on a realtime edge
                      return;
                    }
                    AudioChannel audio = AudioChannel.adopt(channel, context, sends);
                    context.runOnContext(
                        v -> {
                          if (closed || audioChannel != null) {
                            // a second channel, or the edge closed meanwhile: freed with the
                            // connection
                            audio.close();
                          } else {
                            audioChannel = audio;
                            events.audioChannel(TrackEdge.this, audio);
                          }
                        });
                  }

                  @Override
                  public void onConnectionChange(RTCPeerConnectionState state) {
                    if (state == RTCPeerConnectionState.FAILED
                        || state == RTCPeerConnectionState.CLOSED) {
                      context.runOnContext(v -> close("connection " + state.name().toLowerCase()));
                    }
                  }
                });
    this.candidates = new RemoteCandidates<>(MAX_PENDING_CANDIDATES, pc::addIceCandidate);
  }

  /**
   * The edge toward {@code parentId}: offers at once. {@code placeholders} only name the
   * transceivers' kinds (webrtc-java 0.14.0 has {@code addTransceiver(track, init)} but no {@code
   * addTransceiver(kind, init)}); recvonly, they are never sent.
   */
  static TrackEdge toParent(String parentId, EdgeWiring wiring, MediaStreamTrack... placeholders) {
    TrackEdge e = new TrackEdge(parentId, true, wiring);
    Context context = wiring.context();
    for (MediaStreamTrack p : placeholders) {
      RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
      init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
      MediaStreamTrack received = e.pc.addTransceiver(p, init).getReceiver().getTrack();
      if (received instanceof VideoTrack v) {
        e.video = v;
        e.sink =
            frame -> {
              e.frames++;
              if (e.frames == 1) {
                context.runOnContext(x -> e.arrived());
              }
            };
        v.addSink(e.sink);
      } else {
        e.audio = received;
      }
    }
    e.audioChannel = AudioChannel.create(e.pc, context, wiring.sends(), m -> e.events.audio(e, m));
    e.pc.createOffer(new RTCOfferOptions(), e.created());
    return e;
  }

  /** The edge toward {@code childId}: waits for its offer, then sends what {@link #send} names. */
  static TrackEdge toChild(String childId, int maxVideoKbps, EdgeWiring wiring) {
    TrackEdge e = new TrackEdge(childId, false, wiring);
    e.maxVideoKbps = maxVideoKbps;
    return e;
  }

  private void arrived() {
    if (!flowing && !closed) {
      flowing = true;
      events.flowing(this);
    }
  }

  /** Child edge: its rt-audio channel once the child opened it, else null. */
  AudioChannel audioSink() {
    return toParent ? null : audioChannel;
  }

  boolean isFlowing() {
    return flowing;
  }

  /** The other end's description or candidate (on the context). Bad input closes this edge only. */
  void signal(JsonNode data) {
    if (closed) {
      return;
    }
    Signals.Signal s;
    try {
      s = Signals.parse(data);
    } catch (IllegalArgumentException e) {
      LOG.debug("bad signal from {}: {}", peerId, e.getMessage());
      return;
    }
    if (s instanceof Signals.Candidate c) {
      if (c.isEndOfCandidates()) {
        return;
      }
      candidates.offer(new RTCIceCandidate(c.sdpMid(), c.sdpMLineIndex(), c.candidate()));
      return;
    }
    Signals.Description d = (Signals.Description) s;
    if (d.isOffer() == toParent || offerSeen) {
      close("unexpected " + d.type());
      return;
    }
    offerSeen = true;
    try {
      pc.setRemoteDescription(
          new RTCSessionDescription(d.isOffer() ? RTCSdpType.OFFER : RTCSdpType.ANSWER, d.sdp()),
          applied(
              () -> {
                candidates.described();
                if (!toParent) {
                  answer();
                }
              }));
    } catch (RuntimeException e) {
      close("the " + d.type() + " was rejected: " + e.getMessage());
    }
  }

  /**
   * Child edge, after the offer: video sendonly with our track, audio inactive, then the answer.
   */
  private void answer() {
    ChildSenders.answerDirections(pc);
    send(pendingVideo, pendingAudio);
    pc.createAnswer(new RTCAnswerOptions(), created());
  }

  /** Child edge: sends these tracks from now on (either may be null); no renegotiation. */
  void send(MediaStreamTrack video, MediaStreamTrack audio) {
    pendingVideo = video;
    pendingAudio = audio;
    if (closed || !candidates.isDescribed()) {
      return; // put on the senders when the offer is answered
    }
    ChildSenders.replace(pc, video, audio);
  }

  private CreateSessionDescriptionObserver created() {
    return new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        context.runOnContext(
            v -> {
              if (closed) {
                return;
              }
              pc.setLocalDescription(
                  description,
                  applied(
                      () -> {
                        ObjectNode json =
                            Signals.toJson(
                                new Signals.Description(
                                    description.sdpType == RTCSdpType.OFFER ? "offer" : "answer",
                                    description.sdp));
                        // Tells the page at the other end to carry audio as chunks on rt-audio
                        // (docs/protocol.md).
                        json.put("role", "booster");
                        signalOut.accept(peerId, json);
                        if (!toParent && !closed && maxVideoKbps > 0) {
                          ChildSenders.capVideo(pc, maxVideoKbps, peerId);
                        }
                      }));
            });
      }

      @Override
      public void onFailure(String error) {
        context.runOnContext(v -> close("creating the description failed: " + error));
      }
    };
  }

  private SetSessionDescriptionObserver applied(Runnable then) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        context.runOnContext(
            v -> {
              if (!closed) {
                then.run();
              }
            });
      }

      @Override
      public void onFailure(String error) {
        context.runOnContext(v -> close("a description was refused: " + error));
      }
    };
  }

  /**
   * Asks libwebrtc for this edge's RTP counters (call on the context); {@link #rtp} follows when it
   * answers.
   */
  void pollStats() {
    if (closed) {
      return; // the connection may be closing on the teardown thread: never touch it then
    }
    try {
      pc.getStats(report -> rtp = RtpCounters.of(report, toParent));
    } catch (RuntimeException e) {
      LOG.debug("no stats from the edge to {}: {}", peerId, e.toString());
    }
  }

  /**
   * Closes the connection (off the context: libwebrtc's close waits for its threads). Idempotent.
   */
  void close(String why) {
    if (closed) {
      return;
    }
    closed = true;
    candidates.clear();
    events.closed(this, why);
    VideoTrackSink s = sink;
    MediaStreamTrack v = video;
    AudioChannel a = audioChannel;
    Runnable closing =
        () -> {
          try {
            if (s != null && v instanceof VideoTrack vt) {
              vt.removeSink(s);
            }
            if (a != null) {
              a.close();
            }
            pc.close();
            if (a != null) {
              a.dispose();
            }
          } catch (RuntimeException e) {
            LOG.debug("closing the edge to {}: {}", peerId, e.toString());
          }
        };
    try {
      teardown.execute(closing);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      closing.run(); // the factory is closing: before it disposes itself
    }
  }
}

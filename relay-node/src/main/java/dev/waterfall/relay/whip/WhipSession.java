package dev.waterfall.relay.whip;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WHIP publisher's connection (RFC 9725): the client's sendonly offer answered recvonly,
 * without trickle (the answer goes out once ICE gathering is complete, so it holds every
 * candidate). Its video track is what the root forwards; its audio is decoded by libwebrtc for a
 * sink and re-encoded into chunks ({@link OpusChunker}). Native callbacks are moved onto the node's
 * context, where the events are delivered.
 */
final class WhipSession {
  private static final Logger LOG = LoggerFactory.getLogger(WhipSession.class);

  /**
   * Without a STUN or TURN server gathering ends at once; with an unreachable one we answer what we
   * have.
   */
  static final long GATHERING_TIMEOUT_MS = 3000;

  /** What the endpoint does with a session's events, on the node's context. */
  interface Events {
    /** The first video frame arrived: the track carries the publisher's picture. */
    void video(WhipSession session, MediaStreamTrack track);

    void audio(WhipSession session, byte[] chunk);

    /** The connection failed or closed by itself (not by {@link #close}). */
    void ended(WhipSession session, String why);
  }

  /** The offer cannot be published: the client gets a 400 with this message. */
  static final class BadOffer extends RuntimeException {
    BadOffer(String message) {
      super(message);
    }
  }

  final String id;
  private final Context context;
  private final Executor teardown;
  private final Events events;
  private final RTCPeerConnection pc;
  private final Promise<Void> gathered = Promise.promise();
  private final OpusChunker chunker;
  private VideoTrack video;
  private VideoTrackSink videoSink;
  private AudioTrack audio;
  private AudioTrackSink audioSink;

  /** Video frames decoded so far; written on a native thread. */
  volatile long frames;

  private boolean closed;

  private WhipSession(
      String id,
      PeerConnectionFactory factory,
      RTCConfiguration config,
      Context context,
      Executor teardown,
      Events events) {
    this.id = id;
    this.context = context;
    this.teardown = teardown;
    this.events = events;
    this.chunker =
        new OpusChunker(
            System::currentTimeMillis,
            chunk ->
                context.runOnContext(
                    v -> {
                      if (!closed) {
                        events.audio(this, chunk);
                      }
                    }));
    this.pc =
        factory.createPeerConnection(
            config,
            new PeerConnectionObserver() {
              @Override
              public void onIceCandidate(dev.onvoid.webrtc.RTCIceCandidate candidate) {
                // Not trickled: the answer carries them once gathering is complete.
              }

              @Override
              public void onIceGatheringChange(RTCIceGatheringState state) {
                if (state == RTCIceGatheringState.COMPLETE) {
                  context.runOnContext(v -> gathered.tryComplete());
                }
              }

              @Override
              public void onConnectionChange(RTCPeerConnectionState state) {
                if (state == RTCPeerConnectionState.FAILED
                    || state == RTCPeerConnectionState.CLOSED) {
                  context.runOnContext(
                      v -> {
                        if (!closed) {
                          close();
                          events.ended(
                              WhipSession.this, "connection " + state.name().toLowerCase());
                        }
                      });
                }
              }
            });
  }

  /**
   * Applies {@code offer} and completes with the session once its complete answer is ready (call on
   * context).
   */
  static Future<WhipSession> answer(
      String id,
      String offer,
      PeerConnectionFactory factory,
      RTCConfiguration config,
      Context context,
      Executor teardown,
      Events events) {
    WhipSession s = new WhipSession(id, factory, config, context, teardown, events);
    Future<String> answered = s.negotiate(offer);
    return answered.map(sdp -> s).onFailure(e -> s.close());
  }

  private Future<String> negotiate(String offer) {
    Promise<Void> remote = Promise.promise();
    try {
      pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer), applied(remote));
    } catch (RuntimeException | Error e) {
      // webrtc-java reports unparseable SDP as a plain java.lang.Error; the JVM's own errors go on
      // up.
      if (e instanceof VirtualMachineError fatal) {
        throw fatal;
      }
      return Future.failedFuture(new BadOffer("the offer was refused: " + e.getMessage()));
    }
    return remote
        .future()
        .recover(e -> Future.failedFuture(new BadOffer("the offer was refused: " + e.getMessage())))
        .compose(
            v -> {
              receive();
              Promise<RTCSessionDescription> created = Promise.promise();
              pc.createAnswer(
                  new RTCAnswerOptions(),
                  new CreateSessionDescriptionObserver() {
                    @Override
                    public void onSuccess(RTCSessionDescription d) {
                      context.runOnContext(x -> created.tryComplete(d));
                    }

                    @Override
                    public void onFailure(String error) {
                      context.runOnContext(
                          x -> created.tryFail(new BadOffer("no answer to that offer: " + error)));
                    }
                  });
              return created.future();
            })
        .compose(
            answer -> {
              Promise<Void> local = Promise.promise();
              pc.setLocalDescription(answer, applied(local));
              return local.future();
            })
        .compose(
            v -> {
              long timer =
                  context
                      .owner()
                      .setTimer(
                          GATHERING_TIMEOUT_MS,
                          t -> {
                            if (gathered.tryComplete()) {
                              LOG.info(
                                  "WHIP session {}: ICE gathering incomplete after {} ms; answering with what we have",
                                  id,
                                  GATHERING_TIMEOUT_MS);
                            }
                          });
              return gathered.future().onComplete(x -> context.owner().cancelTimer(timer));
            })
        .compose(
            v -> {
              if (closed) {
                return Future.failedFuture(new IllegalStateException("closed while answering"));
              }
              String sdp = pc.getLocalDescription().sdp;
              String problem = AnswerCheck.videoProblem(sdp);
              return problem == null
                  ? Future.succeededFuture(sdp)
                  : Future.failedFuture(new BadOffer(problem));
            });
  }

  /** The complete answer (after {@link #answer} succeeded). */
  String answerSdp() {
    return pc.getLocalDescription().sdp;
  }

  /**
   * Every section recvonly; sinks on the received tracks (they exist from the offer on, silent
   * until media).
   */
  private void receive() {
    for (RTCRtpTransceiver t : pc.getTransceivers()) {
      t.setDirection(RTCRtpTransceiverDirection.RECV_ONLY);
      MediaStreamTrack track = t.getReceiver().getTrack();
      if (track instanceof VideoTrack v && video == null) {
        video = v;
        videoSink =
            frame -> {
              if (++frames == 1) {
                context.runOnContext(
                    x -> {
                      if (!closed) {
                        LOG.info("WHIP session {}: first video frame", id);
                        events.video(this, v);
                      }
                    });
              }
            };
        v.addSink(videoSink);
      } else if (track instanceof AudioTrack a && audio == null) {
        audio = a;
        audioSink = chunker::pcm;
        a.addSink(audioSink);
      }
    }
  }

  private SetSessionDescriptionObserver applied(Promise<Void> done) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        context.runOnContext(v -> done.tryComplete());
      }

      @Override
      public void onFailure(String error) {
        context.runOnContext(v -> done.tryFail(new BadOffer(error)));
      }
    };
  }

  /** Audio chunks made from the publisher's sound so far. */
  long audioChunks() {
    return chunker.chunks();
  }

  /**
   * Closes the connection off the context (libwebrtc's close waits for its threads). Idempotent.
   */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    VideoTrack v = video;
    VideoTrackSink vs = videoSink;
    AudioTrack a = audio;
    AudioTrackSink as = audioSink;
    Runnable closing =
        () -> {
          try {
            if (v != null) {
              v.removeSink(vs);
            }
            if (a != null) {
              a.removeSink(as);
            }
            pc.close();
          } catch (RuntimeException e) {
            LOG.debug("closing WHIP session {}: {}", id, e.toString());
          }
        };
    try {
      teardown.execute(closing);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      closing.run();
    }
  }
}

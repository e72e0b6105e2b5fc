package dev.waterfall.relay.peer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A link's offer/answer exchange and its trickle-ICE queue: applies the other end's description and
 * candidates, and hands our own description to the listener once it is set locally. One description
 * each way, no renegotiation. Threads: see {@link PeerLink}.
 */
final class Negotiation {

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

  /** More candidates than this before the description is a misbehaving peer, not a trickle. */
  private static final int MAX_PENDING_CANDIDATES = 200;

  private final RTCPeerConnection pc;
  private final PeerLink.Role role;
  private final LinkTeardown teardown;
  private final Consumer<ObjectNode> signalOut;

  private final Object lock = new Object();
  private boolean remoteDescriptionReceived; // guarded by lock
  private boolean remoteDescriptionApplied; // guarded by lock
  private final List<RTCIceCandidate> pendingCandidates = new ArrayList<>(); // guarded by lock

  /**
   * @param signalOut hands a signal to the listener; must not throw
   */
  Negotiation(
      RTCPeerConnection pc,
      PeerLink.Role role,
      LinkTeardown teardown,
      Consumer<ObjectNode> signalOut) {
    this.pc = pc;
    this.role = role;
    this.teardown = teardown;
    this.signalOut = signalOut;
  }

  /** The offering end, once its channel exists: the offer follows at the listener. */
  void createOffer() {
    pc.createOffer(new RTCOfferOptions(), created());
  }

  /** See {@link PeerLink#onRemoteSignal}. */
  void apply(Signals.Signal signal) {
    if (signal instanceof Signals.Description) {
      applyDescription((Signals.Description) signal);
    } else {
      applyCandidate((Signals.Candidate) signal);
    }
  }

  /** Drops the queued candidates: the link is being torn down. */
  void clear() {
    synchronized (lock) {
      pendingCandidates.clear();
    }
  }

  private void applyDescription(Signals.Description d) {
    boolean wantOffer = role == PeerLink.Role.ANSWERER;
    if (d.isOffer() != wantOffer) {
      throw new IllegalArgumentException(
          "the "
              + role.name().toLowerCase()
              + " end of a link expects an "
              + (wantOffer ? "offer" : "answer")
              + ", got an "
              + d.type());
    }
    RTCSessionDescription desc =
        new RTCSessionDescription(d.isOffer() ? RTCSdpType.OFFER : RTCSdpType.ANSWER, d.sdp());
    synchronized (lock) {
      if (remoteDescriptionReceived) {
        throw new IllegalArgumentException(
            "a second " + d.type() + ": renegotiation is not supported");
      }
      remoteDescriptionReceived = true;
    }
    try {
      pc.setRemoteDescription(desc, applied(this::remoteDescriptionApplied));
    } catch (RuntimeException | Error e) {
      NativeErrors.rethrowIfFatal(e);
      if (teardown.isClosing()) {
        return; // closed meanwhile: the native handle is gone, and nothing is to be done
      }
      // webrtc-java parses the SDP in Java's thread and throws when libwebrtc cannot.
      synchronized (lock) {
        remoteDescriptionReceived = false;
      }
      throw new IllegalArgumentException("the " + d.type() + " was rejected: " + e.getMessage(), e);
    }
  }

  private void applyCandidate(Signals.Candidate c) {
    if (c.isEndOfCandidates()) {
      return; // libwebrtc needs no end-of-candidates marker for a data-only connection
    }
    RTCIceCandidate candidate = new RTCIceCandidate(c.sdpMid(), c.sdpMLineIndex(), c.candidate());
    synchronized (lock) {
      if (!remoteDescriptionApplied) {
        // libwebrtc drops candidates that arrive before the remote description: keep them for
        // later.
        if (pendingCandidates.size() >= MAX_PENDING_CANDIDATES) {
          throw new IllegalArgumentException(
              "more than "
                  + MAX_PENDING_CANDIDATES
                  + " candidates before the "
                  + "remote description");
        }
        pendingCandidates.add(candidate);
        return;
      }
    }
    addCandidate(candidate, true);
  }

  private void addCandidate(RTCIceCandidate candidate, boolean fromCaller) {
    try {
      pc.addIceCandidate(candidate);
    } catch (RuntimeException | Error e) {
      NativeErrors.rethrowIfFatal(e);
      if (fromCaller && !teardown.isClosing()) {
        throw new IllegalArgumentException("candidate rejected: " + e.getMessage(), e);
      }
      log.debug("queued candidate rejected: {}", e.getMessage());
    }
  }

  /**
   * On a native thread, once the remote description is in: apply the queued candidates; answer an
   * offer.
   */
  private void remoteDescriptionApplied() {
    List<RTCIceCandidate> queued;
    synchronized (lock) {
      remoteDescriptionApplied = true;
      queued = new ArrayList<>(pendingCandidates);
      pendingCandidates.clear();
    }
    for (RTCIceCandidate c : queued) {
      addCandidate(c, false);
    }
    if (role == PeerLink.Role.ANSWERER) {
      pc.createAnswer(new RTCAnswerOptions(), created());
    }
  }

  /**
   * createOffer/createAnswer succeeded: set it as local description, then hand it to the listener.
   */
  private CreateSessionDescriptionObserver created() {
    return new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        if (teardown.isClosing()) {
          return;
        }
        try {
          pc.setLocalDescription(
              description,
              applied(
                  () -> {
                    String type = description.sdpType == RTCSdpType.OFFER ? "offer" : "answer";
                    signalOut.accept(
                        Signals.toJson(new Signals.Description(type, description.sdp)));
                  }));
        } catch (RuntimeException | Error e) {
          NativeErrors.rethrowIfFatal(e);
          teardown.closeWith("could not set the local description: " + e.getMessage());
        }
      }

      @Override
      public void onFailure(String error) {
        teardown.closeWith(
            "could not create the "
                + (role == PeerLink.Role.OFFERER ? "offer" : "answer")
                + ": "
                + error);
      }
    };
  }

  private SetSessionDescriptionObserver applied(Runnable next) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        if (!teardown.isClosing()) {
          try {
            next.run();
          } catch (RuntimeException | Error e) {
            NativeErrors.rethrowIfFatal(e);
            // A native handle already gone (closed meanwhile) or a listener bug: never let it reach
            // JNI.
            log.debug("after set description: {}", e.toString());
          }
        }
      }

      @Override
      public void onFailure(String error) {
        teardown.closeWith("session description rejected: " + error);
      }
    };
  }
}

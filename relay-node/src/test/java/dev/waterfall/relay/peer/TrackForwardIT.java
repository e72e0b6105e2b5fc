package dev.waterfall.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Can a Java booster forward a received media track? source → booster → N children, all libwebrtc
 * peers in this JVM (in the failsafe network namespace). The booster's child edges send the track
 * it receives from its parent ({@code RTCRtpReceiver.getTrack()} put on each child's sender with
 * {@code replaceTrack}), so libwebrtc decodes once and encodes once per child. Asserts each child
 * decodes frames and prints the process's CPU with 1 and with 3 children, split by native thread
 * name.
 */
class TrackForwardIT {

  private static final int W = 320;
  private static final int H = 240;
  private static final int FPS = 30;
  private static final int WINDOW_S = ThreadCpu.window(20);

  @Test
  void boosterForwardsAReceivedVideoTrackToEachChild() throws Exception {
    HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
    PeerConnectionFactory f = new PeerConnectionFactory(audio);
    ScheduledExecutorService pump = Executors.newSingleThreadScheduledExecutor();
    List<RTCPeerConnection> all = new ArrayList<>();
    try {
      CustomVideoSource source = new CustomVideoSource();
      VideoTrack camera = f.createVideoTrack("camera", source);
      AtomicLong n = new AtomicLong();
      pump.scheduleAtFixedRate(
          () -> pushFrame(source, n.getAndIncrement()), 0, 1000 / FPS, TimeUnit.MILLISECONDS);

      // publisher ← booster: the booster offers recvonly, the publisher answers and sends the
      // camera
      Edge up = connect(f, camera, all);
      MediaStreamTrack received = up.childVideo.get(10, TimeUnit.SECONDS);
      assertThat(up.frames.await(10)).as("frames at the booster").isGreaterThan(0);

      // booster ← children: each offers recvonly; the booster sends the received track
      List<Edge> children = new ArrayList<>();
      children.add(connect(f, received, all));
      for (Edge c : children) {
        assertThat(c.frames.await(10)).as("frames at a child").isGreaterThan(0);
      }
      Map<String, Long> one = ThreadCpu.over(WINDOW_S);
      long oneFrames = children.get(0).frames.count.get();
      children.add(connect(f, received, all));
      children.add(connect(f, received, all));
      for (Edge c : children) {
        assertThat(c.frames.await(10)).as("frames at each child").isGreaterThan(0);
      }
      long[] before = children.stream().mapToLong(c -> c.frames.count.get()).toArray();
      Map<String, Long> three = ThreadCpu.over(WINDOW_S);
      for (int i = 0; i < children.size(); i++) {
        long got = children.get(i).frames.count.get() - before[i];
        System.out.printf("child %d decoded %d frames in %d s%n", i, got, WINDOW_S);
        assertThat(got).as("child %d keeps decoding", i).isGreaterThan((long) WINDOW_S * FPS / 4);
      }
      report("1 child", one);
      report("3 children", three);
      System.out.printf("first child: %d frames before the others joined%n", oneFrames);
    } finally {
      pump.shutdownNow();
      for (RTCPeerConnection pc : all) {
        pc.close();
      }
      f.dispose();
      audio.dispose();
    }
  }

  private static void report(String label, Map<String, Long> cpu) {
    long total = cpu.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(
        "CPU with %s: %.1f %% of a core over %d s%n", label, total / (WINDOW_S * 10.0), WINDOW_S);
    cpu.entrySet().stream()
        .filter(e -> e.getValue() > 20)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(
            e ->
                System.out.printf(
                    "   %-24s %6.1f %%%n", e.getKey(), e.getValue() / (WINDOW_S * 10.0)));
  }

  private static void pushFrame(CustomVideoSource source, long n) {
    NativeI420Buffer buf = NativeI420Buffer.allocate(W, H);
    ByteBuffer y = buf.getDataY();
    for (int row = 0; row < H; row++) {
      for (int col = 0; col < W; col++) {
        y.put(row * buf.getStrideY() + col, (byte) ((col + row + n * 4) & 0xff));
      }
    }
    ByteBuffer u = buf.getDataU();
    ByteBuffer v = buf.getDataV();
    for (int i = 0; i < buf.getStrideU() * H / 2; i++) {
      u.put(i, (byte) 128);
      v.put(i, (byte) ((n * 2) & 0xff));
    }
    VideoFrame frame = new VideoFrame(buf, System.nanoTime());
    source.pushFrame(frame);
    frame.release();
  }

  /** Frames seen by a sink. */
  static final class Frames {
    final AtomicLong count = new AtomicLong();

    long await(int seconds) throws InterruptedException {
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (count.get() == 0 && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      return count.get();
    }
  }

  record Edge(CompletableFuture<MediaStreamTrack> childVideo, Frames frames) {}

  /**
   * A child that offers one recvonly video transceiver, and its parent that answers sending {@code
   * track}.
   */
  private static Edge connect(
      PeerConnectionFactory f, MediaStreamTrack track, List<RTCPeerConnection> all)
      throws Exception {
    CompletableFuture<RTCPeerConnection> childPc = new CompletableFuture<>();
    CompletableFuture<RTCPeerConnection> parentPc = new CompletableFuture<>();
    CompletableFuture<MediaStreamTrack> childVideo = new CompletableFuture<>();
    Frames frames = new Frames();
    RTCPeerConnection parent =
        f.createPeerConnection(
            new RTCConfiguration(),
            (PeerConnectionObserver) c -> childPc.thenAcceptAsync(pc -> pc.addIceCandidate(c)));
    RTCPeerConnection child =
        f.createPeerConnection(
            new RTCConfiguration(),
            new PeerConnectionObserver() {
              @Override
              public void onIceCandidate(RTCIceCandidate c) {
                parentPc.thenAcceptAsync(pc -> pc.addIceCandidate(c));
              }

              @Override
              public void onTrack(RTCRtpTransceiver t) {
                MediaStreamTrack got = t.getReceiver().getTrack();
                if (got instanceof VideoTrack v) {
                  v.addSink(frame -> frames.count.incrementAndGet());
                  childVideo.complete(got);
                }
              }
            });
    all.add(parent);
    all.add(child);
    // webrtc-java 0.14.0 has addTransceiver(track, init) only, no addTransceiver(kind): a recvonly
    // transceiver needs some video track to name its kind; it is never sent.
    RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
    init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
    child.addTransceiver(
        f.createVideoTrack("kind-" + System.nanoTime(), new CustomVideoSource()), init);
    RTCSessionDescription offer = describe(cb -> child.createOffer(new RTCOfferOptions(), cb));
    await(cb -> child.setLocalDescription(offer, cb));
    await(cb -> parent.setRemoteDescription(offer, cb));
    parentPc.complete(parent);
    for (RTCRtpTransceiver t : parent.getTransceivers()) {
      t.setDirection(RTCRtpTransceiverDirection.SEND_ONLY);
      t.getSender().replaceTrack(track);
    }
    RTCSessionDescription answer = describe(cb -> parent.createAnswer(new RTCAnswerOptions(), cb));
    await(cb -> parent.setLocalDescription(answer, cb));
    await(cb -> child.setRemoteDescription(answer, cb));
    childPc.complete(child);
    return new Edge(childVideo, frames);
  }

  private static RTCSessionDescription describe(Consumer<CreateSessionDescriptionObserver> call)
      throws Exception {
    CompletableFuture<RTCSessionDescription> d = new CompletableFuture<>();
    call.accept(
        new CreateSessionDescriptionObserver() {
          @Override
          public void onSuccess(RTCSessionDescription description) {
            d.complete(description);
          }

          @Override
          public void onFailure(String error) {
            d.completeExceptionally(new IllegalStateException(error));
          }
        });
    return d.get(10, TimeUnit.SECONDS);
  }

  private static void await(Consumer<SetSessionDescriptionObserver> call) throws Exception {
    CompletableFuture<Void> d = new CompletableFuture<>();
    call.accept(
        new SetSessionDescriptionObserver() {
          @Override
          public void onSuccess() {
            d.complete(null);
          }

          @Override
          public void onFailure(String error) {
            d.completeExceptionally(new IllegalStateException(error));
          }
        });
    d.get(10, TimeUnit.SECONDS);
  }
}

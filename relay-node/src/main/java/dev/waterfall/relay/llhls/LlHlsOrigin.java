package dev.waterfall.relay.llhls;

import dev.waterfall.relay.cmaf.CmafSource;
import dev.waterfall.relay.cmaf.Fragment;
import dev.waterfall.relay.cmaf.Part;
import dev.waterfall.relay.cmaf.PartCutter;
import dev.waterfall.relay.segment.SegmentSigner;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An origin's LL-HLS output: a {@link CmafSource} cut into parts ({@link PartCutter}) into a {@link
 * PartStore}, served by {@link LlHlsServer} under {@code /ll/<stream>/}. Its own thread reads the
 * source (blocking on a pipe, or sleeping until a paced fragment is due); the HTTP side never
 * blocks. Each part is signed as it is cut and goes through the same {@link PartLedger} a relay
 * feeds from its parent, so the origin's /ll/ is rendered exactly as every relay's; the signed
 * frames go to the tree through {@link #onFrames} (docs/architecture.md, "Low latency (LL-HLS)").
 */
public final class LlHlsOrigin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LlHlsOrigin.class);

  private final CmafSource source;
  private final LlSettings settings;
  private final PartStore store;
  private final PartLedger ledger;
  private final PartSigner signer;
  private final SegmentSigner key;
  private final LlHlsServer server;
  private volatile Consumer<List<byte[]>> frames = f -> {};
  private final long firstMsn;
  private long nextPartId;
  private long msn;
  private int index;
  private final Thread pump;
  private volatile boolean stopping;

  /** Signs with a key of its own: HTTP from this origin only (tests). */
  public LlHlsOrigin(String stream, CmafSource source, LlSettings settings, long firstMsn) {
    this(stream, source, settings, firstMsn, SegmentSigner.generate());
  }

  /** Signs parts with the stream's key, so the tree can carry them. */
  public LlHlsOrigin(
      String stream, CmafSource source, LlSettings settings, long firstMsn, SegmentSigner key) {
    this.source = source;
    this.settings = settings;
    this.key = key;
    // Part ids from the clock too, ten a second: faster than parts are made, so a restart never
    // reuses one.
    this.nextPartId = System.currentTimeMillis() / 100;
    this.firstMsn = firstMsn;
    this.msn = firstMsn - 1;
    this.store = new PartStore(firstMsn, nextPartId);
    this.signer = new PartSigner(key, stream);
    this.ledger = new PartLedger(new PartVerifier(key.verifier(), stream), store);
    this.server = new LlHlsServer(stream, store, settings).withSignedFrames(ledger);
    this.pump = new Thread(this::pumpLoop, "waterfall-ll-source");
    pump.setDaemon(true);
  }

  public LlHlsOrigin start() {
    pump.start();
    return this;
  }

  public void mount(Router router) {
    server.mount(router);
  }

  public PartStore store() {
    return store;
  }

  public PartLedger ledger() {
    return ledger;
  }

  /** The key parts are signed with: the tree's nodes verify with its public half. */
  public SegmentSigner key() {
    return key;
  }

  /**
   * Hands every signed frame (the init, then each part's header and chunks) to {@code sink}, on the
   * source's thread, as each part is cut; the frames made before are the ledger's backlog.
   */
  public void onFrames(Consumer<List<byte[]>> sink) {
    this.frames = sink;
  }

  public LlHlsServer server() {
    return server;
  }

  private void pumpLoop() {
    try {
      SignedInit init = signer.signInit(source.init().bytes());
      ledger.addInit(init);
      frames.accept(List.of(PartFrame.encode(init)));
      byte[] initSha256 = init.sha256();
      PartCutter cutter = new PartCutter(settings.partTarget(), settings.targetDuration());
      long due = System.nanoTime();
      while (!stopping) {
        Optional<Fragment> next = source.next();
        if (next.isEmpty()) {
          LOG.info("the LL-HLS source has ended");
          return;
        }
        Fragment fragment = next.get();
        if (source.pacedByCaller()) {
          // Published when its last frame would have been captured live, as a camera's would be.
          due += Math.round(fragment.seconds() * 1e9);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          } else if (wait < -1e9) {
            // far behind (a stopped JVM): carry on from now, not in a burst
            due = System.nanoTime();
          }
        }
        for (Part part : cutter.accept(fragment)) {
          publish(part, initSha256);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (!stopping) {
        LOG.error("the LL-HLS source failed: {}", e.toString());
      }
    }
  }

  /** Numbers, signs and stores one part, then hands its frames to the tree. */
  private void publish(Part part, byte[] initSha256) {
    if (part.startsSegment() || msn < firstMsn) {
      msn++;
      index = 0;
    }
    LlPart numbered =
        new LlPart(nextPartId++, msn, index++, part.bytes(), part.seconds(), part.independent());
    long now = System.currentTimeMillis();
    SignedPart signed = signer.sign(numbered, initSha256, now);
    // Through the ledger as a relay's parts go, so the origin's /ll/ is built the same way.
    ledger.addHeader(signed, now);
    byte[] bytes = numbered.bytes();
    int size = signed.header().chunkSize();
    for (int i = 0; i < signed.header().chunkCount(); i++) {
      ledger.addChunk(
          numbered.id(),
          i,
          java.util.Arrays.copyOfRange(bytes, i * size, i * size + signed.header().chunkLength(i)));
    }
    List<byte[]> out = new ArrayList<>();
    out.add(PartFrame.encode(signed));
    out.addAll(PartSigner.chunkFrames(numbered.id(), bytes));
    frames.accept(out);
  }

  @Override
  public void close() {
    stopping = true;
    pump.interrupt();
    try {
      source.close();
    } catch (Exception e) {
      LOG.debug("closing the LL-HLS source: {}", e.toString());
    }
  }
}

package dev.waterfall.relay.llhls;

import dev.waterfall.relay.cmaf.CmafSource;
import dev.waterfall.relay.cmaf.Fragment;
import dev.waterfall.relay.cmaf.Part;
import dev.waterfall.relay.cmaf.PartCutter;
import io.vertx.ext.web.Router;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An origin's LL-HLS output: a {@link CmafSource} cut into parts ({@link PartCutter}) into a {@link
 * PartStore}, served by {@link LlHlsServer} under {@code /ll/<stream>/}. Its own thread reads the
 * source (blocking on a pipe, or sleeping until a paced fragment is due); the HTTP side never
 * blocks. The tree does not carry parts yet: this is HTTP from the origin only
 * (docs/architecture.md, "Low latency (LL-HLS)").
 */
public final class LlHlsOrigin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LlHlsOrigin.class);

  private final CmafSource source;
  private final LlSettings settings;
  private final PartStore store;
  private final LlHlsServer server;
  private final Thread pump;
  private volatile boolean stopping;

  public LlHlsOrigin(String stream, CmafSource source, LlSettings settings, long firstMsn) {
    this.source = source;
    this.settings = settings;
    // Part ids from the clock too, ten a second: faster than parts are made, so a restart never
    // reuses one.
    this.store = new PartStore(firstMsn, System.currentTimeMillis() / 100);
    this.server = new LlHlsServer(stream, store, settings);
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

  public LlHlsServer server() {
    return server;
  }

  private void pumpLoop() {
    try {
      store.setInit(source.init().bytes());
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
          store.add(part, System.currentTimeMillis());
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

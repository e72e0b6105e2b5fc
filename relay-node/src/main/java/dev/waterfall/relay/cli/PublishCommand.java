package dev.waterfall.relay.cli;

import dev.waterfall.protocol.LogAddresses;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.tls.PemKeyPair;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.key.PublishKey;
import dev.waterfall.relay.rtmp.RtmpGate;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.FfmpegOptions;
import dev.waterfall.relay.source.FfmpegSource;
import dev.waterfall.relay.source.IngestSource;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.relay.source.SegmentSource;
import io.vertx.ext.web.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code waterfall publish}: the origin of a stream, from the sample, a file, RTMP, HTTP ingest or
 * WHIP.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description =
        "Publish a live stream: become the root of its tree and serve it over HLS for fallback.")
public final class PublishCommand implements Callable<Integer> {
  @Mixin RelayOptions relay;

  @Option(
      names = "--key",
      required = true,
      defaultValue = "${env:WATERFALL_PUBLISH_KEY}",
      description = "The stream's publish key (or WATERFALL_PUBLISH_KEY).")
  String key;

  @Option(
      names = "--http-port",
      defaultValue = "8090",
      description = "HLS, ingest and metrics port (default: 8090).")
  int httpPort;

  @Option(
      names = "--signing-key",
      paramLabel = "FILE",
      description =
          "Ed25519 key file, created if missing (default: ~/.config/waterfall/<stream>.signing.pem).")
  Path signingKey;

  @Option(
      names = "--video-bitrate",
      description = "Encoder bitrate for --input/--rtmp, e.g. 2500k.")
  String videoBitrate;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(
        names = "--sample",
        description = "The built-in test clip, looped as an endless live stream.")
    boolean sample;

    @Option(
        names = "--input",
        paramLabel = "FILE",
        description = "Any file ffmpeg reads, played in real time.")
    Path file;

    @Option(
        names = "--rtmp",
        paramLabel = "PORT",
        description = "Listen for RTMP (OBS, ffmpeg) on this port.")
    Integer rtmpPort;

    @Option(
        names = "--ingest",
        description = "Take HLS pushed by PUT to /ingest/<stream>/index.m3u8.")
    boolean ingest;

    @Option(
        names = "--whip",
        description =
            "Realtime stream: take WebRTC from OBS 30+ (or any WHIP client) at"
                + " POST /whip/<stream> on --http-port, Bearer token = the publish key.")
    boolean whip;
  }

  @Option(
      names = "--redact-addresses",
      defaultValue = "${env:WATERFALL_REDACT_ADDRESSES:-false}",
      description =
          "Logs name remote addresses by a keyed hash instead of the address (as log.redactAddresses).")
  boolean redactAddresses;

  @Option(names = "--loop", description = "With --input: start over at the end.")
  boolean loop;

  @Option(
      names = "--ll-hls",
      description =
          "Also serve low-latency HLS (CMAF parts of 1/3 s, blocking reload) at "
              + "/ll/<stream>/index.m3u8 (with --sample or --input): each part signed and carried by the tree "
              + "to every booster's /ll/ as it is cut; pages still play the 2 s segments; not for private streams).")
  boolean llHls;

  /**
   * What the admin's dashboard shows as OBS's server: where this origin's RTMP or WHIP endpoint is
   * reached (or null).
   */
  Message.Ingest ingest() {
    if (input.whip) {
      // --public-url is where this origin's HTTP is reached (a proxy in front, say); else its own
      // port, if fixed
      String base =
          relay.publicUrl != null
              ? relay.publicUrl.replaceAll("/+$", "")
              : httpPort > 0 ? relay.scheme() + "://" + relay.publicHost() + ":" + httpPort : null;
      return base == null ? null : new Message.Ingest(null, base + "/whip/" + relay.stream);
    }
    // OBS's "Server"; its "Stream Key" is the publish key, which the RTMP gate checks
    return input.rtmpPort == null
        ? null
        : new Message.Ingest(
            rtmpScheme() + "://" + relay.publicHost() + ":" + input.rtmpPort + "/live", null);
  }

  /** With a certificate (--tls-cert) the RTMP port speaks RTMPS only: the key never goes clear. */
  String rtmpScheme() {
    return relay.tlsCert != null ? "rtmps" : "rtmp";
  }

  @Override
  public Integer call() throws Exception {
    if (input.whip) {
      return whip();
    }
    Path keyFile =
        signingKey != null
            ? signingKey
            : Path.of(
                System.getProperty("user.home"),
                ".config",
                "waterfall",
                relay.stream + ".signing.pem");
    Files.createDirectories(keyFile.toAbsolutePath().getParent());
    SegmentSigner signer = SegmentSigner.loadOrCreate(keyFile);
    // Sequence numbers must grow across restarts (relays drop lower ones as old): start from the
    // clock.
    long firstSequence = System.currentTimeMillis() / 2000;
    Running running = new Running(relay.links());
    Relay origin;
    // What this origin's own ingest checks; the coordinator's rotations replace it.
    PublishKey current = new PublishKey(key);
    // for the RTMPS port: the gate listens before the origin joins (a taken port fails first)
    AtomicReference<Relay> started = new AtomicReference<>();
    try {
      SegmentSource source;
      Consumer<Router> routes = r -> {};
      if (input.sample) {
        source = SampleSource.fromClasspath(firstSequence);
      } else if (input.ingest) {
        IngestSource ingest = new IngestSource(relay.stream, key, firstSequence).followKey(current);
        LogAddresses addresses = LogAddresses.of(redactAddresses);
        routes = r -> ingest.mount(r, addresses);
        source = ingest;
      } else {
        // read before ffmpeg starts: a bad file is refused with nothing to stop
        Supplier<PemKeyPair> certificate =
            input.rtmpPort == null ? null : rtmpsCertificate(started);
        FfmpegOptions o =
            input.file != null
                ? FfmpegOptions.file(relay.stream, input.file, loop)
                : FfmpegOptions.rtmp(relay.stream, relay.httpHost, input.rtmpPort);
        o = o.withFirstSequence(firstSequence);
        if (videoBitrate != null) {
          o = o.withVideoBitrate(videoBitrate);
        }
        FfmpegSource ffmpeg;
        try {
          ffmpeg =
              FfmpegSource.start(running.vertx, o)
                  .toCompletionStage()
                  .toCompletableFuture()
                  .get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          // e.g. ffmpeg missing: its install hint
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
        source = ffmpeg;
        if (input.rtmpPort != null) {
          try {
            running.add(
                RtmpGate.start(
                    relay.httpHost,
                    input.rtmpPort,
                    relay.stream,
                    current,
                    ffmpeg::openPublisher,
                    LogAddresses.of(redactAddresses),
                    certificate));
          } catch (java.io.IOException e) {
            ffmpeg.close();
            throw new IllegalStateException(
                "cannot listen for RTMP on " + relay.httpHost + ":" + input.rtmpPort + ": " + e, e);
          }
        }
      }
      var ll =
          llHls
              ? running.add(
                  LowLatency.start(
                      relay.stream,
                      input.sample,
                      input.file,
                      loop,
                      videoBitrate,
                      firstSequence,
                      signer))
              : null;
      origin =
          running.add(
              Relay.startOrigin(
                  running.vertx,
                  running.peers,
                  relay.toOptions(key, httpPort),
                  signer,
                  source,
                  routes,
                  ingest(),
                  current,
                  ll));
      started.set(origin);
      String hls =
          relay.scheme()
              + "://"
              + relay.httpHost
              + ":"
              + origin.httpPort()
              + "/hls/"
              + relay.stream
              + "/index.m3u8";
      System.out.println("Waterfall origin publishing '" + relay.stream + "'; HLS at " + hls);
      if (llHls) {
        System.out.println("Low-latency HLS at " + hls.replace("/hls/", "/ll/"));
      }
      if (input.ingest) {
        System.out.println(
            "Push HLS with: ffmpeg … -f hls -method PUT -headers \"Authorization: Bearer <key>\" "
                + relay.scheme()
                + "://"
                + relay.httpHost
                + ":"
                + origin.httpPort()
                + "/ingest/"
                + relay.stream
                + "/index.m3u8");
      } else if (input.rtmpPort != null) {
        System.out.println(
            "OBS: Settings → Stream → Service: Custom, Server: "
                + rtmpScheme()
                + "://<this machine>:"
                + input.rtmpPort
                + "/live, Stream Key: the publish key");
      }
    } catch (Exception e) {
      running.stop();
      throw e;
    }
    return untilStopped(running, origin);
  }

  /**
   * What the RTMPS port presents (null: plain RTMP): the origin's HTTPS certificate once it is up,
   * renewals included; the files as read now until then.
   */
  private Supplier<PemKeyPair> rtmpsCertificate(AtomicReference<Relay> started) {
    Relay.Tls tls = relay.toOptions(key, httpPort).tls();
    if (!tls.serves()) {
      return null;
    }
    PemKeyPair first = PemKeyPair.load(tls.certPath(), tls.keyPath());
    return () -> {
      Relay up = started.get();
      PemKeyPair now = up == null ? null : up.certificate();
      return now != null ? now : first;
    };
  }

  /** The origin of a realtime stream, fed over WHIP: no signing key, no segments, no ffmpeg. */
  private int whip() throws Exception {
    Running running = new Running(relay.links());
    Relay origin;
    try {
      origin =
          running.add(
              Relay.startWhipOrigin(
                  running.vertx, running.peers, relay.toOptions(key, httpPort), ingest()));
      String url =
          relay.scheme()
              + "://"
              + relay.httpHost
              + ":"
              + origin.httpPort()
              + "/whip/"
              + relay.stream;
      System.out.println(
          "Waterfall origin of realtime stream '"
              + relay.stream
              + "': publish over WHIP to "
              + url);
      System.out.println(
          "OBS 30+: Settings → Stream → Service: WHIP, Server: "
              + url
              + ", Bearer Token: the publish key");
    } catch (Exception e) {
      running.stop();
      // e.g. the stream is not realtime: its own message, not the future's wrapper
      throw e instanceof java.util.concurrent.ExecutionException
              && e.getCause() instanceof Exception c
          ? c
          : e;
    }
    return untilStopped(running, origin);
  }

  /**
   * Runs until SIGTERM, or until the coordinator cuts this origin off for good (a rotated key with
   * disconnect, a deleted stream): then publishing stops and the process exits with a message.
   */
  private int untilStopped(Running running, Relay origin) throws InterruptedException {
    Message.Error refusal = running.untilStoppedOr(origin.node().refused());
    if (refusal == null) {
      return 0;
    }
    System.err.println(Refusal.explain(relay.stream, refusal));
    return Refusal.EXIT_STATUS;
  }
}

package dev.waterfall.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import dev.waterfall.relay.frame.FrameException;
import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.segment.SegmentVerifier;
import dev.waterfall.relay.segment.SignedHeader;
import dev.waterfall.relay.segment.VerificationException;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.relay.store.MutableClock;
import dev.waterfall.relay.store.PlaylistBuilder;
import dev.waterfall.relay.store.SegmentStore;
import dev.waterfall.relay.store.StoreLimits;
import dev.waterfall.testkit.chromium.Chromium;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The browser's data-plane modules (web-player/src/main/web/p2p/*.js, served by the coordinator at
 * /web/p2p/) against the Java implementations they must match byte for byte: Java makes the data,
 * Debian's Chromium decodes, verifies and stores it, and both sides must agree on every field,
 * every rejection code and every playlist line.
 */
@DisplayName("the browser's data-plane modules agree with Java")
class BrowserFormatsIT {
  private static final String STREAM = "fmt";
  private static final long MAX_SAFE = (1L << 53) - 1;
  private static StreamRig rig;
  private static Chromium chromium;
  private static Page page;
  private static final Random RANDOM = new Random(20240604);

  @BeforeAll
  static void start() throws Exception {
    rig = new StreamRig();
    chromium = Chromium.launch();
    page = chromium.newPage();
    // Any page of the coordinator's origin will do: the modules are imported from it, same-origin.
    page.navigate(rig.base + "/web/p2p/frames.js");
    Object ed25519 =
        page.evaluate(
            "async () => {"
                + "  const [frames, header, verify, store, bytes] = await Promise.all(['frames', 'header', 'verify',"
                + "    'store', 'bytes'].map((m) => import('/web/p2p/' + m + '.js')));"
                + "  window.wf = { frames, header, verify, store, bytes };"
                + "  return await verify.supportsEd25519();"
                + "}");
    assertThat(ed25519).as("WebCrypto Ed25519 in " + chromium.browser.version()).isEqualTo(true);
  }

  @AfterAll
  static void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  @DisplayName("decodes every frame type to the same fields and re-encodes the same bytes")
  void decodesFrames() {
    SegmentSigner signer = SegmentSigner.generate();
    byte[] segment = SampleSource.loadClips().get(0).bytes();
    Chunker chunker = Chunker.standard();
    SegmentHeader header =
        chunker.describe(STREAM, 4242, 2002, 1_717_000_000_123L, true, 7, segment);
    SignedHeader signed = signer.sign(header);
    List<Frame> frames = new ArrayList<>();
    frames.add(new Frame.Header(signed));
    List<byte[]> chunks = chunker.split(segment);
    for (int i = 0; i < chunks.size(); i++) {
      frames.add(new Frame.Chunk(header.sequence(), i, chunks.get(i)));
    }
    frames.add(new Frame.Chunk(MAX_SAFE, 65535, new byte[] {1}));
    frames.add(new Frame.Window(3, 17));
    frames.add(new Frame.Window(0, MAX_SAFE));
    frames.add(new Frame.Control("{\"type\":\"ping\",\"note\":\"caf\u00e9 \u2603 \ud83d\ude00\"}"));
    // A stream name with a leading BOM: Java keeps U+FEFF, and so must the browser.
    frames.add(
        new Frame.Header(
            signer.sign(chunker.describe("\ufeffs\u00e9", 0, 1, 0, false, 0, new byte[] {9}))));

    List<String> encoded = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (Frame frame : frames) {
      byte[] bytes = FrameCodec.encode(frame);
      encoded.add(b64(bytes));
      expected.add(describe(FrameCodec.decode(bytes)) + " | " + b64(bytes));
    }
    assertThat(chunks)
        .as("the sample segment spans several chunks, the last one short")
        .hasSizeGreaterThan(2);
    assertThat(chunks.get(chunks.size() - 1).length).isLessThan(chunker.chunkSize());

    Object actual =
        page.evaluate(
            "(frames) => frames.map((text) => {"
                + "  const { frames: F, bytes: B } = window.wf;"
                + "  const f = F.decodeFrame(B.base64ToBytes(text));"
                + "  let d;"
                + "  if (f.type === 'header') {"
                + "    const h = f.header;"
                + "    d = ['header', h.stream, h.sequence, h.durationMillis, h.byteLength, h.chunkSize, h.producedAtMillis,"
                + "      h.discontinuity, h.discontinuitySequence, h.chunkCount, h.chunkHashes.map(B.bytesToHex).join(','),"
                + "      B.bytesToHex(f.signature)].join(' ');"
                + "  } else if (f.type === 'chunk') {"
                + "    d = ['chunk', f.sequence, f.index, f.payload.length, B.bytesToBase64(f.payload)].join(' ');"
                + "  } else if (f.type === 'window') {"
                + "    d = ['window', f.firstSequence, f.lastSequence].join(' ');"
                + "  } else {"
                + "    d = ['control', f.json, JSON.stringify(f.value)].join(' ');"
                + "  }"
                + "  return d + ' | ' + B.bytesToBase64(F.encodeFrame(f));"
                + "})",
            encoded);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  @DisplayName("rejects every malformed frame with the code Java uses")
  void rejectsLikeJava() {
    SegmentSigner signer = SegmentSigner.generate();
    byte[] segment = random(150_000);
    SegmentHeader header = Chunker.standard().describe(STREAM, 9, 2000, 1, false, 0, segment);
    byte[] good = FrameCodec.encode(new Frame.Header(signer.sign(header)));
    byte[] hdr = header.encode();
    int n = STREAM.length();

    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("valid header", good);
    cases.put("empty", new byte[0]);
    cases.put("one byte", new byte[] {1});
    cases.put("unknown version", new byte[] {2, 3, 0, 0});
    cases.put("unknown type 5", new byte[] {1, 5, 0, 0});
    cases.put("unknown type 0", new byte[] {1, 0});
    cases.put("header: no length", new byte[] {1, 1, 0, 0});
    cases.put(
        "header: length over the limit",
        concat(new byte[] {1, 1}, u32(SegmentHeader.MAX_ENCODED_BYTES + 1)));
    cases.put("header: truncated", Arrays.copyOf(good, good.length - 1));
    cases.put("header: trailing byte", Arrays.copyOf(good, good.length + 1));
    cases.put("header: bad version", headerFrame(patch(hdr, 0, 2)));
    cases.put("header: unknown flag", headerFrame(patch(hdr, 31 + n, 2)));
    cases.put("header: discontinuity numbered 0", headerFrame(patch(hdr, 31 + n, 1)));
    cases.put("header: sequence 2^53", headerFrame(patchLong(hdr, 3 + n, MAX_SAFE + 1)));
    cases.put("header: sequence 2^53-1", headerFrame(patchLong(hdr, 3 + n, MAX_SAFE)));
    cases.put("header: produced at -1", headerFrame(patchLong(hdr, 23 + n, -1)));
    cases.put("header: duration 0", headerFrame(patchInt(hdr, 11 + n, 0)));
    cases.put("header: duration 60001", headerFrame(patchInt(hdr, 11 + n, 60_001)));
    cases.put("header: duration 2^31", headerFrame(patchInt(hdr, 11 + n, Integer.MIN_VALUE)));
    cases.put("header: byte length disagrees", headerFrame(patchInt(hdr, 15 + n, 65_536)));
    cases.put("header: chunk size 0", headerFrame(patchInt(hdr, 19 + n, 0)));
    cases.put("header: hash count disagrees", headerFrame(patchShort(hdr, 40 + n, 2)));
    cases.put("header: one hash too many", headerFrame(Arrays.copyOf(hdr, hdr.length + 32)));
    cases.put("header: cut inside a field", headerFrame(Arrays.copyOf(hdr, 20)));
    cases.put(
        "header: empty stream",
        headerFrame(concat(new byte[] {1, 0, 0}, Arrays.copyOfRange(hdr, 3 + n, hdr.length))));
    cases.put("header: stream length 65", headerFrame(patchShort(hdr, 1, 65)));
    cases.put("header: stream bad UTF-8", headerFrame(patch(hdr, 3, 0xC3)));
    cases.put(
        "header: stream UTF-16 surrogate",
        headerFrame(
            concat(
                new byte[] {1, 0, 3, (byte) 0xED, (byte) 0xA0, (byte) 0x80},
                Arrays.copyOfRange(hdr, 3 + n, hdr.length))));
    cases.put("header: 1025 hashes", headerFrame(chunkCountHeader(1025)));
    cases.put("chunk: valid", concat(new byte[] {1, 2}, u64(5), new byte[] {0, 1, 42}));
    cases.put("chunk: no index", concat(new byte[] {1, 2}, u64(5), new byte[] {0}));
    cases.put("chunk: no payload", concat(new byte[] {1, 2}, u64(5), new byte[] {0, 1}));
    cases.put(
        "chunk: sequence 2^53",
        concat(new byte[] {1, 2}, u64(MAX_SAFE + 1), new byte[] {0, 1, 42}));
    cases.put("chunk: sequence 2^64-1", concat(new byte[] {1, 2}, u64(-1), new byte[] {0, 1, 42}));
    cases.put(
        "chunk: empty with bad sequence", concat(new byte[] {1, 2}, u64(-1), new byte[] {0, 1}));
    cases.put(
        "chunk: payload 65536", concat(new byte[] {1, 2}, u64(5), new byte[2], new byte[65_536]));
    cases.put(
        "chunk: payload 65537", concat(new byte[] {1, 2}, u64(5), new byte[2], new byte[65_537]));
    cases.put(
        "message of 65553 bytes", concat(new byte[] {1, 2}, u64(5), new byte[2], new byte[65_541]));
    // docs/protocol.md: WINDOW 3..17
    byte[] window = hex("01030000000000000003" + "0000000000000011");
    cases.put("window: doc example", window);
    cases.put("window: truncated", Arrays.copyOf(window, 17));
    cases.put("window: trailing byte", Arrays.copyOf(window, 19));
    cases.put("window: first after last", concat(new byte[] {1, 3}, u64(18), u64(17)));
    cases.put("window: 2^53", concat(new byte[] {1, 3}, u64(0), u64(MAX_SAFE + 1)));
    cases.put("control: ping", control("{\"type\":\"ping\"}"));
    cases.put("control: empty", control(""));
    cases.put("control: array", control("[]"));
    cases.put("control: null", control("null"));
    cases.put("control: string", control("\"x\""));
    cases.put("control: trailing token", control("{} {}"));
    cases.put("control: trailing comma", control("{\"a\":1,}"));
    cases.put("control: duplicate key", control("{\"a\":1,\"b\":{\"a\":2},\"a\":3}"));
    cases.put("control: escaped duplicate key", control("{\"a\":1,\"\\u0061\":2}"));
    cases.put(
        "control: nested same keys", control("{\"a\":{\"a\":{\"a\":[{\"a\":1},{\"a\":2}]}}}"));
    cases.put("control: whitespace", control(" \t\r\n{ \"a\" : [ 1 , 2.5e3 , true , null ] }\n"));
    cases.put("control: single quotes", control("{'a':1}"));
    cases.put("control: comment", control("{\"a\":1 /* c */}"));
    cases.put("control: NaN", control("{\"a\":NaN}"));
    cases.put("control: raw tab in string", control("{\"a\":\"x\ty\"}"));
    cases.put(
        "control: BOM",
        concat(
            new byte[] {1, 4, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
            "{}".getBytes(StandardCharsets.UTF_8)));
    cases.put(
        "control: bad UTF-8",
        concat(
            new byte[] {1, 4},
            "{\"a\":\"".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xFF},
            "\"}".getBytes(StandardCharsets.UTF_8)));
    cases.put("control: 4096 bytes", control("{\"a\":\"" + "x".repeat(4096 - 8) + "\"}"));
    cases.put("control: 4097 bytes", control("{\"a\":\"" + "x".repeat(4097 - 8) + "\"}"));
    cases.put("control: 999 deep", control("{\"a\":" + "[".repeat(998) + "]".repeat(998) + "}"));
    cases.put("control: 1000 deep", control("{\"a\":" + "[".repeat(999) + "]".repeat(999) + "}"));
    cases.put("control: 1001 deep", control("{\"a\":" + "[".repeat(1000) + "]".repeat(1000) + "}"));

    List<String> names = new ArrayList<>(cases.keySet());
    List<String> frames = new ArrayList<>();
    List<String> javaCodes = new ArrayList<>();
    for (String name : names) {
      frames.add(b64(cases.get(name)));
      javaCodes.add(name + ": " + javaCode(cases.get(name)));
    }
    assertThat(javaCodes)
        .as("the corpus covers the codes the brief names")
        .anyMatch(c -> c.endsWith(": truncated"))
        .anyMatch(c -> c.endsWith(": oversized"))
        .anyMatch(c -> c.endsWith(": unknown-type"))
        .anyMatch(c -> c.endsWith(": bad-header"))
        .anyMatch(c -> c.endsWith(": bad-value"))
        .anyMatch(c -> c.endsWith(": bad-json"))
        .anyMatch(c -> c.endsWith(": bad-utf8"))
        .anyMatch(c -> c.endsWith(": trailing-bytes"))
        .anyMatch(c -> c.endsWith(": bad-window"))
        .anyMatch(c -> c.endsWith(": empty-chunk"))
        .anyMatch(c -> c.endsWith(": bad-length"))
        .anyMatch(c -> c.endsWith(": unknown-version"))
        .anyMatch(c -> c.endsWith(": empty"));
    Object browserCodes =
        page.evaluate(
            "([names, frames]) => frames.map((text, i) => {"
                + "  const { frames: F, bytes: B } = window.wf;"
                + "  try { F.decodeFrame(B.base64ToBytes(text)); return names[i] + ': ok'; }"
                + "  catch (e) { return names[i] + ': ' + (e instanceof F.FrameError ? e.code : 'THREW ' + e); }"
                + "})",
            List.of(names, frames));
    assertThat(browserCodes).isEqualTo(javaCodes);
  }

  @Test
  @DisplayName("verifies genuine headers and chunks with WebCrypto, and refuses tampered ones")
  void verifies() {
    SegmentSigner signer = SegmentSigner.generate();
    SegmentSigner stranger = SegmentSigner.generate();
    byte[] segment = SampleSource.loadClips().get(1).bytes();
    Chunker chunker = Chunker.standard();
    SignedHeader signed = signer.sign(chunker.describe(STREAM, 77, 2000, 5, false, 0, segment));
    SegmentHeader header = signed.header();
    List<byte[]> chunks = chunker.split(segment);
    int last = chunks.size() - 1;
    byte[] hdr = signed.encoded();
    byte[] sig = signed.signature();

    // name → [kind, key, header bytes, signature, expected stream, chunk index, chunk bytes]
    Map<String, List<Object>> cases = new LinkedHashMap<>();
    Map<String, String> expected = new LinkedHashMap<>();
    headerCase(cases, expected, "genuine header", signer, hdr, sig, null, "ok");
    headerCase(cases, expected, "genuine header, right stream", signer, hdr, sig, STREAM, "ok");
    headerCase(
        cases,
        expected,
        "flipped hash byte",
        signer,
        flip(hdr, hdr.length - 1),
        sig,
        null,
        "bad-signature");
    headerCase(
        cases,
        expected,
        "flipped duration byte",
        signer,
        flip(hdr, 11 + STREAM.length() + 3),
        sig,
        null,
        "bad-signature");
    headerCase(
        cases,
        expected,
        "flipped signature byte",
        signer,
        hdr,
        flip(sig, 10),
        null,
        "bad-signature");
    headerCase(
        cases, expected, "all-zero signature", signer, hdr, new byte[64], null, "bad-signature");
    headerCase(cases, expected, "wrong key", stranger, hdr, sig, null, "bad-signature");
    headerCase(cases, expected, "other stream", signer, hdr, sig, "other", "wrong-stream");
    for (int i = 0; i < chunks.size(); i++) {
      chunkCase(cases, expected, signer, "chunk " + i, hdr, sig, i, chunks.get(i), "ok");
    }
    chunkCase(
        cases,
        expected,
        signer,
        "flipped chunk byte",
        hdr,
        sig,
        0,
        flip(chunks.get(0), 1000),
        "bad-hash");
    chunkCase(
        cases, expected, signer, "chunk 1 as chunk 0", hdr, sig, 0, chunks.get(1), "bad-hash");
    chunkCase(
        cases,
        expected,
        signer,
        "short non-final chunk",
        hdr,
        sig,
        0,
        Arrays.copyOf(chunks.get(0), chunks.get(0).length - 1),
        "bad-length");
    chunkCase(
        cases,
        expected,
        signer,
        "last chunk padded to chunkSize",
        hdr,
        sig,
        last,
        Arrays.copyOf(chunks.get(last), chunker.chunkSize()),
        "bad-length");
    chunkCase(
        cases,
        expected,
        signer,
        "last chunk one byte short",
        hdr,
        sig,
        last,
        Arrays.copyOf(chunks.get(last), chunks.get(last).length - 1),
        "bad-length");
    chunkCase(
        cases,
        expected,
        signer,
        "index past the end",
        hdr,
        sig,
        chunks.size(),
        chunks.get(last),
        "bad-index");

    // Java agrees with every expectation first, so the browser is held to Java's behaviour, not to
    // ours.
    Map<String, String> java = new LinkedHashMap<>();
    cases.forEach((name, c) -> java.put(name, javaVerify(c)));
    assertThat(java).isEqualTo(expected);

    Object browser =
        page.evaluate(
            "async (cases) => {"
                + "  const { verify: V, bytes: B } = window.wf;"
                + "  const out = {};"
                + "  for (const [name, [kind, key, hdr, sig, stream, index, chunk]] of Object.entries(cases)) {"
                + "    try {"
                + "      const k = await V.importPublicKey(key);"
                + "      const h = await V.verifyHeader(k, B.base64ToBytes(hdr), B.base64ToBytes(sig), stream);"
                + "      if (kind === 'chunk') await V.verifyChunk(h, index, B.base64ToBytes(chunk));"
                + "      out[name] = 'ok';"
                + "    } catch (e) { out[name] = e instanceof V.VerificationError ? e.code : 'THREW ' + e; }"
                + "  }"
                + "  return out;"
                + "}",
            cases);
    assertThat(browser).isEqualTo(expected);
    assertThat(
            page.evaluate(
                "async () => { try { await window.wf.verify.importPublicKey('AAAA'); return 'ok'; }"
                    + " catch (e) { return e.code; } }"))
        .isEqualTo("bad-key");
  }

  @Test
  @DisplayName(
      "its store gives the same results, windows and playlists as SegmentStore + PlaylistBuilder")
  void storeAndPlaylistMatchJava() throws Exception {
    SegmentSigner signer = SegmentSigner.generate();
    SegmentSigner stranger = SegmentSigner.generate();
    Chunker chunker = new Chunker(4096);
    List<Map<String, Object>> ops = new ArrayList<>();
    Map<Long, byte[]> data = new LinkedHashMap<>();
    Map<Long, SignedHeader> headers = new LinkedHashMap<>();
    // sequence → discontinuity sequence; a negative value marks the flagged segment that opens it.
    long[][] plan = {
      {100, 3}, {101, 3}, {102, -4}, {103, 4}, {104, 4}, {105, 4}, {106, 4}, {107, 4}, {108, 4},
      {109, -5}, {110, 5}, {111, 5}, {112, 5}, {113, 5}
    };
    for (long[] p : plan) {
      byte[] bytes = random(4096 * 2 + RANDOM.nextInt(9000) + 1);
      data.put(p[0], bytes);
      headers.put(
          p[0],
          signer.sign(
              chunker.describe(
                  STREAM,
                  p[0],
                  1500 + RANDOM.nextInt(1200),
                  p[0] * 1000,
                  p[1] < 0,
                  Math.abs(p[1]),
                  bytes)));
    }
    for (long s = 100; s <= 104; s++) {
      ops.add(headerOp(headers.get(s)));
      if (s == 101) {
        ops.add(headerOp(headers.get(s))); // DUPLICATE
        ops.add(headerOp(stranger.sign(headers.get(102L).header()))); // REJECTED
        SegmentHeader h = headers.get(s).header();
        ops.add(
            headerOp(
                signer.sign(
                    chunker.describe(
                        STREAM, s, h.durationMillis() + 1, 0, false, 3, data.get(s)))));
        ops.add(chunkOp(s, 0, flip(chunker.split(data.get(s)).get(0), 7))); // REJECTED
        // REJECTED: index
        ops.add(chunkOp(s, 99, new byte[] {1}));
        // UNKNOWN_SEGMENT
        ops.add(chunkOp(555, 0, new byte[] {1}));
      }
      chunkOps(ops, chunker, s, data.get(s), 99);
      if (s == 101) {
        ops.add(chunkOp(s, 0, chunker.split(data.get(s)).get(0))); // DUPLICATE
      }
    }
    // 105 never comes in time: 106 waits behind it until the gap timeout, then 105 is too old.
    ops.add(headerOp(headers.get(106L)));
    chunkOps(ops, chunker, 106, data.get(106L), 99);
    ops.add(Map.of("op", "advance", "ms", 3000));
    ops.add(Map.of("op", "advance", "ms", 3001));
    ops.add(headerOp(headers.get(105L)));
    // 107 stays incomplete; once 108 has waited 6 s the playlist skips 107 for good.
    ops.add(headerOp(headers.get(107L)));
    chunkOps(ops, chunker, 107, data.get(107L), 1);
    ops.add(headerOp(headers.get(108L)));
    chunkOps(ops, chunker, 108, data.get(108L), 99);
    ops.add(Map.of("op", "advance", "ms", 6000));
    ops.add(chunkOp(107, 2, chunker.split(data.get(107L)).get(2)));
    // The rest arrive in order; the 12 s window evicts the oldest as they do.
    for (long s = 109; s <= 113; s++) {
      ops.add(headerOp(headers.get(s)));
      chunkOps(ops, chunker, s, data.get(s), 99);
      ops.add(Map.of("op", "advance", "ms", 2000));
    }
    ops.add(Map.of("op", "drop", "before", 111));

    MutableClock clock = new MutableClock(1_717_000_000_000L);
    StoreLimits limits = new StoreLimits(12_000, 128L << 20, 6_000);
    SegmentStore store =
        new SegmentStore(new SegmentVerifier(signer.publicKeyBase64(), STREAM), limits, clock);
    List<String> java = new ArrayList<>();
    for (Map<String, Object> op : ops) {
      String result =
          switch ((String) op.get("op")) {
            case "header" ->
                store
                    .addHeader(((Frame.Header) FrameCodec.decode(unb64(op.get("frame")))).signed())
                    .name();
            case "chunk" -> {
              Frame.Chunk c = (Frame.Chunk) FrameCodec.decode(unb64(op.get("frame")));
              yield store.addChunk(c.sequence(), c.index(), c.payload()).name();
            }
            case "advance" -> {
              clock.advance(((Number) op.get("ms")).longValue());
              yield "-";
            }
            case "drop" -> {
              store.dropBefore(((Number) op.get("before")).longValue());
              yield "-";
            }
            default -> throw new IllegalStateException();
          };
      String window = store.window().map(w -> w.first() + ".." + w.last()).orElse("none");
      String bytes =
          store.sequences().stream()
              .map(
                  s ->
                      s
                          + "="
                          + store
                              .segmentBytes(s)
                              .map(BrowserFormatsIT::sha)
                              .orElse(store.missingChunks(s).toString().replace(" ", "")))
              .toList()
              .toString()
              .replace(" ", "");
      java.add(
          op.get("op")
              + " "
              + result
              + " | window "
              + window
              + " | held "
              + bytes
              + " "
              + store.heldBytes()
              + "\n"
              + new PlaylistBuilder().build(store).orElse("(no playlist)\n")
              + new PlaylistBuilder(3).build(store).orElse("(no playlist)\n"));
    }
    String joined = String.join("\n", java);
    assertThat(joined)
        .as("the scenario exercises every result and a discontinuity at the playlist head")
        .contains(
            "header CONFLICT",
            "header DUPLICATE",
            "header REJECTED",
            "header TOO_OLD",
            "chunk REJECTED",
            "chunk DUPLICATE",
            "chunk UNKNOWN_SEGMENT",
            "#EXT-X-DISCONTINUITY\n",
            "#EXT-X-MEDIA-SEQUENCE:102\n"
                + "#EXT-X-DISCONTINUITY-SEQUENCE:3\n#EXT-X-DISCONTINUITY\n",
            "seg-106.ts",
            "seg-113.ts");

    Object browser =
        page.evaluate(
            "async ([ops, key, startMillis]) => {"
                + "  const { frames: F, verify: V, store: S, bytes: B } = window.wf;"
                + "  let now = startMillis;"
                + "  const store = new S.SegmentStore(await V.importPublicKey(key), { windowMillis: 12000,"
                + "    maxBytes: 128 * 1024 * 1024, gapTimeoutMillis: 6000, stream: 'fmt', now: () => now });"
                + "  const out = [];"
                + "  for (const op of ops) {"
                + "    let result = '-';"
                + "    if (op.op === 'header') result = await store.addHeader(F.decodeFrame(B.base64ToBytes(op.frame)));"
                + "    else if (op.op === 'chunk') {"
                + "      const c = F.decodeFrame(B.base64ToBytes(op.frame));"
                + "      result = await store.addChunk(c.sequence, c.index, c.payload);"
                + "    } else if (op.op === 'advance') now += op.ms;"
                + "    else if (op.op === 'drop') store.dropBefore(op.before);"
                + "    const w = store.window();"
                + "    const held = [];"
                + "    for (const s of store.sequences()) {"
                + "      const bytes = store.segmentBytes(s);"
                + "      held.push(s + '=' + (bytes ? B.bytesToHex(await V.sha256(bytes)) : '[' + store.missingChunks(s) + ']'));"
                + "    }"
                + "    out.push(op.op + ' ' + result + ' | window ' + (w ? w.first + '..' + w.last : 'none') + ' | held ['"
                + "      + held.join(',') + '] ' + store.heldBytes() + '\\n'"
                + "      + (S.buildPlaylist(store) ?? '(no playlist)\\n') + (S.buildPlaylist(store, 3) ?? '(no playlist)\\n'));"
                + "  }"
                + "  return out;"
                + "}",
            List.of(ops, signer.publicKeyBase64(), 1_717_000_000_000.0));
    assertThat(String.join("\n", castStrings(browser))).isEqualTo(joined);
  }

  @Test
  @DisplayName("chunks racing their header's verification wait for it; SHA-256 and Ed25519 timings")
  void racingChunksAndTimings() {
    SegmentSigner signer = SegmentSigner.generate();
    byte[] segment = random(600_000);
    Chunker chunker = Chunker.standard();
    SignedHeader signed = signer.sign(chunker.describe(STREAM, 1, 2000, 0, false, 0, segment));
    List<String> frames = new ArrayList<>();
    frames.add(b64(FrameCodec.encode(new Frame.Header(signed))));
    List<byte[]> chunks = chunker.split(segment);
    for (int i = 0; i < chunks.size(); i++) {
      frames.add(b64(FrameCodec.encode(new Frame.Chunk(1, i, chunks.get(i)))));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result =
        (Map<String, Object>)
            page.evaluate(
                "async ([frames, key]) => {"
                    + "  const { frames: F, verify: V, store: S, bytes: B } = window.wf;"
                    + "  const k = await V.importPublicKey(key);"
                    + "  const store = new S.SegmentStore(k);"
                    + "  const decoded = frames.map((f) => F.decodeFrame(B.base64ToBytes(f)));"
                    + "  const results = await Promise.all(decoded.map((f) => f.type === 'header' ? store.addHeader(f)"
                    + "    : store.addChunk(f.sequence, f.index, f.payload)));"
                    + "  const whole = store.segmentBytes(1);"
                    + "  const chunk = decoded[1].payload;"
                    + "  const rounds = 256;"
                    + "  let t = performance.now();"
                    + "  for (let i = 0; i < rounds; i++) await V.verifyChunk(decoded[0].header, 0, chunk);"
                    + "  const chunkMs = (performance.now() - t) / rounds;"
                    + "  t = performance.now();"
                    + "  for (let i = 0; i < 100; i++) await V.verifyHeader(k, decoded[0].headerBytes, decoded[0].signature);"
                    + "  const headerMs = (performance.now() - t) / 100;"
                    + "  t = performance.now();"
                    + "  await Promise.all(Array.from({ length: rounds }, () => V.sha256(chunk)));"
                    + "  const parallelMs = (performance.now() - t) / rounds;"
                    + "  return { results: results.join(','), sha: whole ? B.bytesToHex(await V.sha256(whole)) : null,"
                    + "    chunkMs, headerMs, parallelMs, ua: navigator.userAgent };"
                    + "}",
                List.of(frames, signer.publicKeyBase64()));
    assertThat(result.get("results"))
        .isEqualTo(String.join(",", java.util.Collections.nCopies(frames.size(), "STORED")));
    assertThat(result.get("sha")).isEqualTo(sha(segment));
    System.out.printf(
        "BrowserFormatsIT timings (%s): verifyChunk 64 KiB %.3f ms sequential, SHA-256 64 KiB %.3f ms"
            + " each when 256 run at once, Ed25519 header verify %.3f ms%n",
        result.get("ua"),
        ((Number) result.get("chunkMs")).doubleValue(),
        ((Number) result.get("parallelMs")).doubleValue(),
        ((Number) result.get("headerMs")).doubleValue());
  }

  // ---- helpers
  // ------------------------------------------------------------------------------------------------

  /** One line per frame, in the same shape the page writes. */
  private static String describe(Frame frame) {
    if (frame instanceof Frame.Header h) {
      SegmentHeader x = h.signed().header();
      List<String> hashes = new ArrayList<>();
      for (byte[] hash : x.chunkHashes()) {
        hashes.add(HexFormat.of().formatHex(hash));
      }
      return String.join(
          " ",
          "header",
          x.stream(),
          "" + x.sequence(),
          "" + x.durationMillis(),
          "" + x.byteLength(),
          "" + x.chunkSize(),
          "" + x.producedAtMillis(),
          "" + x.discontinuity(),
          "" + x.discontinuitySequence(),
          "" + x.chunkCount(),
          String.join(",", hashes),
          HexFormat.of().formatHex(h.signed().signature()));
    }
    if (frame instanceof Frame.Chunk c) {
      return "chunk "
          + c.sequence()
          + " "
          + c.index()
          + " "
          + c.payload().length
          + " "
          + b64(c.payload());
    }
    if (frame instanceof Frame.Window w) {
      return "window " + w.firstSequence() + " " + w.lastSequence();
    }
    Frame.Control c = (Frame.Control) frame;
    // JSON.stringify of the parsed object: for these simple objects, the same text without
    // whitespace.
    return "control " + c.json() + " " + c.json();
  }

  private static String javaCode(byte[] frame) {
    try {
      FrameCodec.decode(frame);
      return "ok";
    } catch (FrameException e) {
      return e.code();
    }
  }

  private static void headerCase(
      Map<String, List<Object>> cases,
      Map<String, String> expected,
      String name,
      SegmentSigner key,
      byte[] hdr,
      byte[] sig,
      String stream,
      String code) {
    cases.put(
        name, Arrays.asList("header", key.publicKeyBase64(), b64(hdr), b64(sig), stream, 0, null));
    expected.put(name, code);
  }

  private static void chunkCase(
      Map<String, List<Object>> cases,
      Map<String, String> expected,
      SegmentSigner key,
      String name,
      byte[] hdr,
      byte[] sig,
      int index,
      byte[] chunk,
      String code) {
    cases.put(
        name,
        Arrays.asList("chunk", key.publicKeyBase64(), b64(hdr), b64(sig), null, index, b64(chunk)));
    expected.put(name, code);
  }

  /**
   * SegmentVerifier's verdict on a case, in the browser's codes (Java's exceptions carry only a
   * message).
   */
  private static String javaVerify(List<Object> c) {
    SegmentVerifier verifier = new SegmentVerifier((String) c.get(1), (String) c.get(4));
    try {
      SegmentHeader header = verifier.verify(SignedHeader.parse(unb64(c.get(2)), unb64(c.get(3))));
      if (c.get(0).equals("chunk")) {
        verifier.verifyChunk(header, (Integer) c.get(5), unb64(c.get(6)));
      }
      return "ok";
    } catch (VerificationException e) {
      String m = e.getMessage();
      return m.startsWith("bad signature")
          ? "bad-signature"
          : m.contains("expected '")
              ? "wrong-stream"
              : m.contains("out of range")
                  ? "bad-index"
                  : m.contains("bytes, expected")
                      ? "bad-length"
                      : m.contains("SHA-256") ? "bad-hash" : "unknown: " + m;
    }
  }

  private static Map<String, Object> headerOp(SignedHeader signed) {
    return Map.of("op", "header", "frame", b64(FrameCodec.encode(new Frame.Header(signed))));
  }

  private static Map<String, Object> chunkOp(long sequence, int index, byte[] bytes) {
    return Map.of(
        "op", "chunk", "frame", b64(FrameCodec.encode(new Frame.Chunk(sequence, index, bytes))));
  }

  /** The first {@code count} chunks of a segment, in order. */
  private static void chunkOps(
      List<Map<String, Object>> ops, Chunker chunker, long sequence, byte[] bytes, int count) {
    List<byte[]> chunks = chunker.split(bytes);
    for (int i = 0; i < Math.min(count, chunks.size()); i++) {
      ops.add(chunkOp(sequence, i, chunks.get(i)));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> castStrings(Object list) {
    return (List<String>) list;
  }

  private static byte[] headerFrame(byte[] header) {
    return concat(new byte[] {1, 1}, u32(header.length), header, new byte[64]);
  }

  /**
   * A header claiming {@code count} chunks of one byte, with that many hashes: only the count is
   * wrong.
   */
  private static byte[] chunkCountHeader(int count) {
    ByteBuffer out = ByteBuffer.allocate(42 + 1 + count * 32);
    out.put((byte) 1)
        .putShort((short) 1)
        .put((byte) 's')
        .putLong(1)
        .putInt(1000)
        .putInt(count)
        .putInt(1)
        .putLong(0)
        .put((byte) 0)
        .putLong(0)
        .putShort((short) count);
    return out.array();
  }

  private static byte[] control(String json) {
    return concat(new byte[] {1, 4}, json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] patch(byte[] bytes, int offset, int value) {
    byte[] out = bytes.clone();
    out[offset] = (byte) value;
    return out;
  }

  private static byte[] patchShort(byte[] bytes, int offset, int value) {
    byte[] out = bytes.clone();
    ByteBuffer.wrap(out).putShort(offset, (short) value);
    return out;
  }

  private static byte[] patchInt(byte[] bytes, int offset, int value) {
    byte[] out = bytes.clone();
    ByteBuffer.wrap(out).putInt(offset, value);
    return out;
  }

  private static byte[] patchLong(byte[] bytes, int offset, long value) {
    byte[] out = bytes.clone();
    ByteBuffer.wrap(out).putLong(offset, value);
    return out;
  }

  private static byte[] flip(byte[] bytes, int offset) {
    byte[] out = bytes.clone();
    out[offset] ^= 0x01;
    return out;
  }

  private static byte[] u32(long value) {
    return ByteBuffer.allocate(4).putInt((int) value).array();
  }

  private static byte[] u64(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    for (byte[] part : parts) {
      out.put(part);
    }
    return out.array();
  }

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  private static byte[] random(int length) {
    byte[] out = new byte[length];
    RANDOM.nextBytes(out);
    return out;
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] unb64(Object text) {
    return Base64.getDecoder().decode((String) text);
  }

  private static String sha(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

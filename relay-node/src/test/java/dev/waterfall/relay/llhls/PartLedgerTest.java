package dev.waterfall.relay.llhls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.relay.llhls.PartLedger.Result;
import dev.waterfall.relay.segment.SegmentSigner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tree's part store: what the origin signs, a relay verifies (signature, stream, init, chunk
 * hashes) and hands on to its /ll/ store in order.
 */
class PartLedgerTest {
  static final byte[] INIT = "ftyp moov of the stream".getBytes();
  static final long T0 = 1_765_000_000_000L;

  SegmentSigner key = SegmentSigner.generate();
  PartSigner signer = new PartSigner(key, "live");
  SignedInit init = signer.signInit(INIT);
  PartStore store;
  PartLedger ledger;

  @BeforeEach
  void setUp() {
    store = new PartStore(0, 0);
    ledger = new PartLedger(new PartVerifier(key.verifier(), "live"), store);
  }

  /** Part {@code id} of segment id / 3, 100 KB (two chunks), a third of a second. */
  SignedPart part(long id) {
    return signer.sign(partBytes(id), init.sha256(), T0 + id * 333);
  }

  static LlPart partBytes(long id) {
    byte[] bytes = new byte[100_000];
    Arrays.fill(bytes, (byte) id);
    return new LlPart(id, id / 3, (int) (id % 3), bytes, 1 / 3.0, id % 3 == 0);
  }

  void deliver(long id) {
    SignedPart p = part(id);
    assertThat(ledger.addHeader(p, T0)).isEqualTo(Result.STORED);
    byte[] bytes = partBytes(id).bytes();
    assertThat(ledger.addChunk(id, 0, Arrays.copyOfRange(bytes, 0, 65536)))
        .isEqualTo(Result.STORED);
    assertThat(ledger.addChunk(id, 1, Arrays.copyOfRange(bytes, 65536, bytes.length)))
        .isEqualTo(Result.STORED);
  }

  @Test
  void signedPartsVerifyAndReachTheStoreInOrder() {
    assertThat(ledger.addInit(init)).isEqualTo(Result.STORED);
    assertThat(store.snapshot().init()).isEqualTo(INIT);
    for (long id = 3; id < 8; id++) {
      deliver(id);
    }
    LlSnapshot s = store.snapshot();
    assertThat(s.segments()).extracting(LlSegment::msn).containsExactly(1L, 2L);
    assertThat(s.segment(1).get().parts()).hasSize(3);
    assertThat(s.segment(1).get().complete()).isTrue();
    assertThat(s.part(4).get().bytes()).isEqualTo(partBytes(4).bytes());
    assertThat(s.part(6).get().independent()).isTrue();
    assertThat(s.nextPartId()).isEqualTo(8);
    // the program date comes from the signed header: the first part's production less its length
    assertThat(s.segment(2).get().programDateMillis()).isEqualTo(T0 + 6 * 333 - 333);
  }

  @Test
  void startsAtASegmentsFirstPartAndWaitsForAHole() {
    ledger.addInit(init);
    deliver(2); // the end of a segment it never saw begin: not listable
    assertThat(store.snapshot().hasMedia()).isFalse();
    deliver(3);
    deliver(5); // 4 is missing: 5 waits
    assertThat(store.snapshot().nextPartId()).isEqualTo(4);
    assertThat(ledger.holes(T0 + 1000, 1000)).containsExactly(4L);
    deliver(4);
    assertThat(store.snapshot().nextPartId()).isEqualTo(6);
    assertThat(ledger.holes(T0 + 1000, 1000)).isEmpty();
  }

  @Test
  void aHoleHeldTooLongIsSkippedToTheNextSegmentStart() {
    ledger.addInit(init);
    deliver(3);
    deliver(5);
    deliver(6);
    deliver(7);
    ledger.tick(T0);
    ledger.tick(T0 + PartLedger.SKIP_AFTER_MS - 1);
    assertThat(store.snapshot().nextPartId()).isEqualTo(4);
    ledger.tick(T0 + PartLedger.SKIP_AFTER_MS);
    assertThat(store.snapshot().nextPartId()).isEqualTo(8);
    assertThat(store.snapshot().segments()).extracting(LlSegment::msn).containsExactly(1L, 2L);
  }

  @Test
  void aTamperedHeaderOrChunkIsRejected() {
    ledger.addInit(init);
    SignedPart good = part(3);
    byte[] encoded = good.encoded();
    encoded[encoded.length - 1] ^= 1; // a chunk hash changed after signing
    SignedPart forged = SignedPart.parse(encoded, good.signature());
    assertThat(ledger.addHeader(forged, T0)).isEqualTo(Result.REJECTED);
    byte[] badSignature = good.signature();
    badSignature[0] ^= 1;
    assertThat(ledger.addHeader(SignedPart.parse(good.encoded(), badSignature), T0))
        .isEqualTo(Result.REJECTED);

    assertThat(ledger.addHeader(good, T0)).isEqualTo(Result.STORED);
    byte[] chunk = Arrays.copyOfRange(partBytes(3).bytes(), 0, 65536);
    chunk[100] ^= 1;
    assertThat(ledger.addChunk(3, 0, chunk)).isEqualTo(Result.REJECTED);
    assertThat(ledger.addChunk(3, 1, new byte[5])).isEqualTo(Result.REJECTED);
    assertThat(ledger.addChunk(3, 2, new byte[5])).isEqualTo(Result.REJECTED);
    assertThat(ledger.rejected()).isEqualTo(5);
    assertThat(store.snapshot().hasMedia()).isFalse();
  }

  @Test
  void anotherStreamsOrAnotherKeysInitIsRejected() {
    SignedInit otherStream = new PartSigner(key, "other").signInit(INIT);
    assertThat(ledger.addInit(otherStream)).isEqualTo(Result.REJECTED);
    SignedInit otherKey = new PartSigner(SegmentSigner.generate(), "live").signInit(INIT);
    assertThat(ledger.addInit(otherKey)).isEqualTo(Result.REJECTED);
    byte[] record = init.record();
    record[record.length - 1] ^= 1;
    assertThat(ledger.addInit(SignedInit.parse(record, init.signature())))
        .isEqualTo(Result.REJECTED);
    assertThat(ledger.hasInit()).isFalse();
  }

  @Test
  void aPartSignedForAnotherInitIsNotStored() {
    assertThat(ledger.addHeader(part(3), T0)).as("no init yet").isEqualTo(Result.NO_INIT);
    ledger.addInit(init);
    SignedPart forOther =
        signer.sign(partBytes(3), SignedInit.sha256("another init".getBytes()), T0);
    assertThat(ledger.addHeader(forOther, T0)).isEqualTo(Result.NO_INIT);
    // re-signed init segment with other bytes: the old parts no longer play against it
    SignedInit newer = signer.signInit("a new moov".getBytes());
    assertThat(ledger.addInit(newer)).isEqualTo(Result.STORED);
    assertThat(ledger.addHeader(part(3), T0)).isEqualTo(Result.NO_INIT);
    assertThat(ledger.rejected()).isZero();
  }

  @Test
  void framesRoundTripAndTheBacklogStartsASegmentBack() {
    ledger.addInit(init);
    for (long id = 3; id < 11; id++) {
      deliver(id);
    }
    List<byte[]> backlog = ledger.backlog();
    List<Long> headers = new ArrayList<>();
    PartLedger child =
        new PartLedger(new PartVerifier(key.verifier(), "live"), new PartStore(0, 0));
    for (byte[] frame : backlog) {
      PartFrame f = PartFrame.decode(frame);
      if (f instanceof PartFrame.Init i) {
        assertThat(child.addInit(i.signed())).isEqualTo(Result.STORED);
      } else if (f instanceof PartFrame.Header h) {
        headers.add(h.signed().partId());
        assertThat(child.addHeader(h.signed(), T0)).isEqualTo(Result.STORED);
      } else if (f instanceof PartFrame.Chunk c) {
        assertThat(child.addChunk(c.partId(), c.index(), c.payload())).isEqualTo(Result.STORED);
      }
    }
    assertThat(PartFrame.decode(backlog.get(0))).isInstanceOf(PartFrame.Init.class);
    // segments start at 3, 6, 9: from the one before the newest start
    assertThat(headers).containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(child.store().snapshot().nextPartId()).isEqualTo(11);
    assertThat(PartFrame.decode(ledger.headerFrame(7).get()))
        .isEqualTo(new PartFrame.Header(part(7)));
  }
}

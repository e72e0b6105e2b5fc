package dev.waterfall.relay.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentSignerTest {

  private final byte[] segment = TestSegments.bytes(150_000, 1);
  private final SignedHeader signed = TestSegments.signed(42, segment, 65536);
  private final SegmentVerifier verifier =
      new SegmentVerifier(TestSegments.SIGNER.publicKeyBase64(), "demo");

  @Test
  void signAndVerifyRoundTrip() {
    assertThat(signed.signature()).hasSize(64);
    assertThat(verifier.verify(signed)).isEqualTo(signed.header());
    // As it would arrive from the wire.
    assertThat(verifier.verify(SignedHeader.parse(signed.encoded(), signed.signature())))
        .isEqualTo(signed.header());
  }

  @Test
  @DisplayName(
      "the public key is X.509 SubjectPublicKeyInfo, as WebCrypto importKey(\"spki\") wants")
  void publicKeyIsSpki() {
    byte[] der = Base64.getDecoder().decode(TestSegments.SIGNER.publicKeyBase64());
    assertThat(der).hasSize(44);
    assertThat(HexFormat.of().formatHex(der, 0, 12)).isEqualTo("302a300506032b6570032100");
  }

  @Test
  @DisplayName("a header byte changed after signing is rejected")
  void tamperedHeader() {
    byte[] bytes = signed.encoded();
    bytes[30] ^= 1; // inside producedAtMillis: still a well-formed header, no longer the signed one
    SignedHeader tampered = SignedHeader.parse(bytes, signed.signature());
    assertThatThrownBy(() -> verifier.verify(tampered))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("bad signature");
  }

  @Test
  void tamperedSignature() {
    byte[] signature = signed.signature();
    signature[5] ^= 0x40;
    assertThatThrownBy(
            () -> verifier.verify(new SignedHeader(signed.header(), signed.encoded(), signature)))
        .isInstanceOf(VerificationException.class);
  }

  @Test
  void wrongKey() {
    SegmentVerifier other = new SegmentVerifier(SegmentSigner.generate().publicKeyBase64());
    assertThatThrownBy(() -> other.verify(signed)).isInstanceOf(VerificationException.class);
  }

  @Test
  void wrongStream() {
    SegmentVerifier otherStream =
        new SegmentVerifier(TestSegments.SIGNER.publicKeyBase64(), "other");
    assertThatThrownBy(() -> otherStream.verify(signed))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("stream 'demo'");
  }

  @Test
  void headerAndBytesMustAgree() {
    SignedHeader otherSegment = TestSegments.signed(43, segment, 65536);
    assertThatThrownBy(
            () -> new SignedHeader(signed.header(), otherSegment.encoded(), signed.signature()))
        .isInstanceOf(SegmentFormatException.class);
    assertThatThrownBy(() -> new SignedHeader(signed.header(), signed.encoded(), new byte[63]))
        .isInstanceOf(SegmentFormatException.class);
  }

  @Test
  void badPublicKey() {
    assertThatThrownBy(() -> new SegmentVerifier("not base64!"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SegmentVerifier(Base64.getEncoder().encodeToString(new byte[44])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("loadOrCreate keeps the key across restarts")
  void keyFilePersists(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("keys/demo.pem");
    SegmentSigner first = SegmentSigner.loadOrCreate(file);
    SegmentSigner again = SegmentSigner.loadOrCreate(file);
    assertThat(again.publicKeyBase64()).isEqualTo(first.publicKeyBase64());
    assertThat(first.verifier().verify(again.sign(signed.header()))).isEqualTo(signed.header());
    String pem = Files.readString(file);
    assertThat(pem)
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .contains("-----BEGIN PUBLIC KEY-----");
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      assertThat(Files.getPosixFilePermissions(file)).hasSize(2);
    }
    try (var leftovers = Files.list(file.getParent())) {
      assertThat(leftovers).containsExactly(file);
    }
  }

  @Test
  @DisplayName("a key file whose halves do not match is refused")
  void mismatchedKeyFile(@TempDir Path dir) throws IOException {
    Path a = dir.resolve("a.pem");
    Path b = dir.resolve("b.pem");
    SegmentSigner.generate().save(a);
    SegmentSigner.generate().save(b);
    String privateHalf = Files.readString(a).split("(?=-----BEGIN PUBLIC KEY)")[0];
    String publicHalf = Files.readString(b).split("(?=-----BEGIN PUBLIC KEY)")[1];
    Path mixed = dir.resolve("mixed.pem");
    Files.writeString(mixed, privateHalf + publicHalf);
    assertThatThrownBy(() -> SegmentSigner.load(mixed))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not belong");
    Files.writeString(mixed, "garbage");
    assertThatThrownBy(() -> SegmentSigner.load(mixed)).isInstanceOf(IOException.class);
  }
}

package dev.waterfall.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A resume is signed by the node's own key and verifies only unchanged, under that key. */
class NodeKeyTest {
  private final NodeKey key = NodeKey.generate();

  @Test
  void aSignedResumeVerifiesUnderItsKey() {
    Message.Resume r = key.resume("live", "n1", "owner.1.2.mac", 1500, 3);
    assertThat(r.nodeKey()).isEqualTo(key.publicKey());
    assertThat(Base64.getDecoder().decode(r.nodeKey())).hasSize(44); // Ed25519 SPKI
    assertThat(r.tokenAgeMs()).isEqualTo(1500);
    assertThat(r.maxChildren()).isEqualTo(3);
    assertThat(NodeKey.verifies(r)).isTrue();
  }

  @Test
  void anyChangedFieldOrAnotherKeyDoesNotVerify() {
    Message.Resume r = key.resume("live", "n1", "owner.1.2.mac", 1500, null);
    String other = NodeKey.generate().publicKey();
    assertThat(NodeKey.verifies(copy(r, "live2", "n1", "owner.1.2.mac", r.nodeKey(), 1500L)))
        .isFalse();
    assertThat(NodeKey.verifies(copy(r, "live", "n2", "owner.1.2.mac", r.nodeKey(), 1500L)))
        .isFalse();
    assertThat(NodeKey.verifies(copy(r, "live", "n1", "owner.1.2.maC", r.nodeKey(), 1500L)))
        .isFalse();
    assertThat(NodeKey.verifies(copy(r, "live", "n1", "owner.1.2.mac", r.nodeKey(), 1501L)))
        .isFalse();
    assertThat(NodeKey.verifies(copy(r, "live", "n1", "owner.1.2.mac", other, 1500L))).isFalse();
  }

  @Test
  void unsignedOrMalformedIsNotValid() {
    assertThat(NodeKey.verifies(new Message.Resume("live", "n1", "t"))).isFalse();
    Message.Resume r = key.resume("live", "n1", "t", 0, null);
    assertThat(NodeKey.verifies(copy(r, "live", "n1", "t", "AAAA", 0L))).isFalse();
    assertThat(
            NodeKey.verifies(new Message.Resume("live", "n1", "t", null, r.nodeKey(), 0L, "QUJD")))
        .isFalse();
  }

  private static Message.Resume copy(
      Message.Resume r, String stream, String nodeId, String token, String nodeKey, Long age) {
    return new Message.Resume(stream, nodeId, token, r.maxChildren(), nodeKey, age, r.signature());
  }
}

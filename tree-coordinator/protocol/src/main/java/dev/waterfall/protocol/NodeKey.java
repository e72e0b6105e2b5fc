package dev.waterfall.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * A node's own Ed25519 key pair, made when the node starts; the private half never leaves it. Its
 * public half goes in {@code join} ({@code nodeKey}), the coordinator binds the resume token to it,
 * and a {@code resume} must be signed with the private half (docs/protocol.md "resume"): a token
 * copied out of the node is no use without the key.
 */
public final class NodeKey {
  private final KeyPair pair;
  private final String publicKey;

  private NodeKey(KeyPair pair) {
    this.pair = pair;
    this.publicKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
  }

  public static NodeKey generate() {
    try {
      return new NodeKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no Ed25519", e);
    }
  }

  /** Base64 of the X.509 SubjectPublicKeyInfo, as {@code join.nodeKey} carries it. */
  public String publicKey() {
    return publicKey;
  }

  /**
   * A signed {@code resume} for this node's place; {@code tokenAgeMs}: how long ago the token
   * reached the node (its own monotonic clock, so the node's wall clock does not matter).
   */
  public Message.Resume resume(
      String stream, String nodeId, String resumeToken, long tokenAgeMs, Integer maxChildren) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(pair.getPrivate());
      s.update(signedBytes(stream, nodeId, resumeToken, tokenAgeMs));
      String signature = Base64.getEncoder().encodeToString(s.sign());
      return new Message.Resume(
          stream, nodeId, resumeToken, maxChildren, publicKey, tokenAgeMs, signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether {@code resume} is signed by the key it names. Any malformed key or signature is simply
   * not valid.
   */
  public static boolean verifies(Message.Resume resume) {
    if (resume.nodeKey() == null || resume.signature() == null || resume.tokenAgeMs() == null) {
      return false;
    }
    try {
      PublicKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(resume.nodeKey())));
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(
          signedBytes(resume.stream(), resume.nodeId(), resume.resumeToken(), resume.tokenAgeMs()));
      return s.verify(Base64.getDecoder().decode(resume.signature()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * What a resume's signature covers (docs/protocol.md): a fixed label, so the signature means
   * nothing elsewhere, then the stream, node id, token and the token's age, one per line.
   */
  public static byte[] signedBytes(
      String stream, String nodeId, String resumeToken, long tokenAgeMs) {
    return ("waterfall-resume-v1\n"
            + stream
            + '\n'
            + nodeId
            + '\n'
            + resumeToken
            + '\n'
            + tokenAgeMs)
        .getBytes(StandardCharsets.UTF_8);
  }
}

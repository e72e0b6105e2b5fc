package dev.waterfall.coordinator.signalling;

import dev.waterfall.coordinator.streams.Credentials.ResumeClaim;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.NodeKey;

/**
 * Proof that a {@code resume} comes from the node itself, not from someone who copied its token:
 * the token is bound to the node's public key (its MAC covers the key's hash), and the resume is
 * signed by the private half, which never leaves the node. The signature covers the token's age as
 * the node measured it on its own monotonic clock; issue time plus age must be within {@link
 * #WINDOW_MS} of now, so a signed resume read off the wire is good for seconds, and only once (a
 * resumed place spends its token). An age rather than a timestamp: a page's wall clock may be
 * minutes off, its monotonic clock is not, over a token's ten minutes.
 */
final class ResumeProof {
  /** Room for the welcome's and the resume's trips and a slow signature: far above both. */
  static final long WINDOW_MS = 30_000;

  private ResumeProof() {}

  /** Null when {@code resume} proves possession of its token's key at {@code now}; else why not. */
  static String problem(Message.Resume resume, ResumeClaim claim, long now) {
    if (!NodeKey.verifies(resume)) {
      return "the resume is not signed by the node's key: join again";
    }
    long signedAt = claim.issuedAt() + resume.tokenAgeMs();
    if (Math.abs(now - signedAt) > WINDOW_MS) {
      return "the resume's signature is stale (sent again?): sign a fresh one";
    }
    return null;
  }
}

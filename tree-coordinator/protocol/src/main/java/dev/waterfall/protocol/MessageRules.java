package dev.waterfall.protocol;

import java.util.Arrays;
import java.util.List;

/** Field rules beyond JSON shape: required fields, known enums, sane ranges. */
final class MessageRules {
  static final List<String> ROLES = Arrays.stream(Role.values()).map(Role::wire).toList();
  static final List<String> REPORT_REASONS =
      Arrays.stream(ReportReason.values()).map(ReportReason::wire).toList();
  private static final int MAX_ID = 128;

  private MessageRules() {}

  static void check(Message message) throws ProtocolException {
    if (message instanceof Message.Join j) {
      required("join", "stream", j.stream());
      required("join", "role", j.role());
      if (Role.fromWire(j.role()) == null) {
        throw invalid("join: role must be one of " + ROLES);
      }
      if (j.uplinkKbps() != null && (j.uplinkKbps() < 0 || j.uplinkKbps() > 100_000_000)) {
        throw invalid("join: uplinkKbps out of range");
      }
      if (j.maxChildren() != null && (j.maxChildren() < 0 || j.maxChildren() > 64)) {
        throw invalid("join: maxChildren must be 0..64");
      }
      if (j.publicKey() != null
          && (j.publicKey().length() > 512 || !j.publicKey().matches("[A-Za-z0-9+/=]+"))) {
        throw invalid("join: publicKey must be base64 (an Ed25519 SubjectPublicKeyInfo)");
      }
      if (j.contentKey() != null
          && !j.contentKey().matches("[A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{43}=")) {
        throw invalid("join: contentKey must be a base64 AES-128 or AES-256 key");
      }
      nodeKey("join", j.nodeKey());
      if (j.httpUrl() != null
          && (j.httpUrl().length() > 512 || !j.httpUrl().matches("https?://[^\\s]+"))) {
        throw invalid("join: httpUrl must be an http(s) URL");
      }
      if (j.ingest() != null) {
        url("join: ingest.rtmp must be an rtmp(s) URL", j.ingest().rtmp(), "rtmps?://[^\\s]+");
        url("join: ingest.whip must be an http(s) URL", j.ingest().whip(), "https?://[^\\s]+");
      }
    } else if (message instanceof Message.PublishKey k) {
      if (k.keyHash() == null || !k.keyHash().matches("[A-Za-z0-9_-]{43}")) {
        throw invalid("publish-key: keyHash must be a base64url SHA-256");
      }
    } else if (message instanceof Message.ResumeToken t) {
      required("resume-token", "resumeToken", t.resumeToken());
    } else if (message instanceof Message.Resume r) {
      required("resume", "stream", r.stream());
      required("resume", "nodeId", r.nodeId());
      required("resume", "resumeToken", r.resumeToken());
      if (r.maxChildren() != null && (r.maxChildren() < 0 || r.maxChildren() > 64)) {
        throw invalid("resume: maxChildren must be 0..64");
      }
      // Shape only: whether they prove anything is the coordinator's check (bad-credential).
      nodeKey("resume", r.nodeKey());
      if (r.tokenAgeMs() != null && r.tokenAgeMs() < 0) {
        throw invalid("resume: tokenAgeMs must not be negative");
      }
      if (r.signature() != null
          && (r.signature().length() > 128 || !r.signature().matches("[A-Za-z0-9+/=]+"))) {
        throw invalid("resume: signature must be base64 (Ed25519)");
      }
    } else if (message instanceof Message.Signal s) {
      required("signal", "to", s.to());
      if (s.data() == null || !s.data().isObject()) {
        throw invalid("signal: data must be a JSON object (SDP or ICE candidate)");
      }
    } else if (message instanceof Message.Heartbeat h) {
      if (h.uplinkKbps() != null && (h.uplinkKbps() < 0 || h.uplinkKbps() > 100_000_000)) {
        throw invalid("heartbeat: uplinkKbps out of range");
      }
      if (h.stats() != null && !h.stats().isObject()) {
        throw invalid("heartbeat: stats must be a JSON object");
      }
    } else if (message instanceof Message.Report r) {
      required("report", "about", r.about());
      required("report", "reason", r.reason());
      if (ReportReason.fromWire(r.reason()) == null) {
        throw invalid("report: reason must be one of " + REPORT_REASONS);
      }
      if (r.share() != null && !(r.share() >= 0 && r.share() <= 1)) {
        throw invalid("report: share must be a number from 0 to 1");
      }
    }
  }

  /** An optional node key: base64, as short as an Ed25519 SubjectPublicKeyInfo allows for. */
  private static void nodeKey(String type, String value) throws ProtocolException {
    if (value != null && (value.length() > 128 || !value.matches("[A-Za-z0-9+/=]+"))) {
      throw invalid(type + ": nodeKey must be base64 (an Ed25519 SubjectPublicKeyInfo)");
    }
  }

  /** An optional URL: absent, or of this shape and at most 512 characters. */
  private static void url(String problem, String value, String shape) throws ProtocolException {
    if (value != null && (value.length() > 512 || !value.matches(shape))) {
      throw invalid(problem);
    }
  }

  private static void required(String type, String field, String value) throws ProtocolException {
    if (value == null || value.isBlank()) {
      throw invalid(type + ": \"" + field + "\" is required");
    }
    if (value.length() > 4096
        || (field.endsWith("Id") || field.equals("to") || field.equals("about"))
            && value.length() > MAX_ID) {
      throw invalid(type + ": \"" + field + "\" is too long");
    }
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_MESSAGE, message);
  }
}

package dev.waterfall.protocol;

/**
 * One signalling message on {@code /ws}. On the wire every message is a JSON object carrying {@code
 * "v":1} and {@code "type"}; {@link MessageCodec} adds and checks both, so the records stay plain
 * data.
 */
public sealed interface Message
    permits Message.Join,
        Message.Resume,
        Message.Welcome,
        Message.Error,
        Message.Signal,
        Message.Heartbeat,
        Message.Report,
        Message.Leave,
        Message.Reparent,
        Message.ChildJoined,
        Message.ChildLeft,
        Message.IceServers,
        Message.PublishKey,
        Message.ResumeToken {

  /**
   * Client → server: enter a stream's tree. {@code key}: publish key, booster token or viewer
   * token. An origin sends the stream's Ed25519 {@code publicKey} (base64 SPKI) that every node
   * verifies against; an origin or booster serving HLS over HTTP sends its {@code httpUrl}, which
   * joins the stream's fallback list. The origin of a private stream sends its AES-GCM {@code
   * contentKey} (base64), which the coordinator hands only to viewers that presented a valid viewer
   * token. An origin may say where an encoder reaches it ({@code ingest}), for the admin's
   * dashboard; absent means unknown. {@code maxChildren} (0..64): the most children this node will
   * take, whatever its uplink (a booster's operator sets it); absent: as many as the stream allows.
   * {@code nodeKey}: the node's own Ed25519 public key (base64 SPKI, {@link NodeKey}), which its
   * resume token is bound to; a node that sends none gets no resume token (it joins afresh
   * instead).
   */
  record Join(
      String stream,
      String role,
      String key,
      Boolean upload,
      Integer uplinkKbps,
      String publicKey,
      String httpUrl,
      String contentKey,
      Ingest ingest,
      Integer maxChildren,
      String nodeKey)
      implements Message {
    public Join(
        String stream,
        String role,
        String key,
        Boolean upload,
        Integer uplinkKbps,
        String publicKey,
        String httpUrl,
        String contentKey,
        Ingest ingest,
        Integer maxChildren) {
      this(
          stream,
          role,
          key,
          upload,
          uplinkKbps,
          publicKey,
          httpUrl,
          contentKey,
          ingest,
          maxChildren,
          null);
    }

    /** This join with the node's own public key (for resumes). */
    public Join withNodeKey(String nodeKey) {
      return new Join(
          stream,
          role,
          key,
          upload,
          uplinkKbps,
          publicKey,
          httpUrl,
          contentKey,
          ingest,
          maxChildren,
          nodeKey);
    }

    public Join(
        String stream,
        String role,
        String key,
        Boolean upload,
        Integer uplinkKbps,
        String publicKey,
        String httpUrl,
        String contentKey,
        Ingest ingest) {
      this(stream, role, key, upload, uplinkKbps, publicKey, httpUrl, contentKey, ingest, null);
    }

    public Join(String stream, String role, String key, Boolean upload, Integer uplinkKbps) {
      this(stream, role, key, upload, uplinkKbps, null, null, null, null);
    }

    public Join(
        String stream,
        String role,
        String key,
        Boolean upload,
        Integer uplinkKbps,
        String publicKey,
        String httpUrl) {
      this(stream, role, key, upload, uplinkKbps, publicKey, httpUrl, null, null);
    }

    public Join(
        String stream,
        String role,
        String key,
        Boolean upload,
        Integer uplinkKbps,
        String publicKey,
        String httpUrl,
        String contentKey) {
      this(stream, role, key, upload, uplinkKbps, publicKey, httpUrl, contentKey, null);
    }

    @Override
    public String toString() {
      // Never print a credential or the content key, wherever a Join ends up.
      return "Join[stream="
          + stream
          + ", role="
          + role
          + ", uplinkKbps="
          + uplinkKbps
          + ", maxChildren="
          + maxChildren
          + ", httpUrl="
          + httpUrl
          + "]";
    }
  }

  /**
   * Where the origin takes its encoder's stream: an RTMP URL ({@code
   * rtmp://host:port/live/<stream>}) and a WHIP endpoint ({@code
   * http(s)://host:port/whip/<stream>}, the publish key as its Bearer token), either null when the
   * origin does not run it. Not a secret (no key in it), but shown to the admin only: it names the
   * origin's host.
   */
  record Ingest(String rtmp, String whip) {}

  /**
   * Client → server: take back a place after the coordinator holding the socket died. {@code
   * maxChildren}: as in {@link Join}, again (a resume carries what the join said; absent: the
   * stream's). Proof that the sender is the node: {@code nodeKey} (the key its join sent), {@code
   * tokenAgeMs} (how long ago the token reached it) and {@code signature}, Ed25519 by that key over
   * {@link NodeKey#signedBytes}. {@link NodeKey#resume} makes one.
   */
  record Resume(
      String stream,
      String nodeId,
      String resumeToken,
      Integer maxChildren,
      String nodeKey,
      Long tokenAgeMs,
      String signature)
      implements Message {
    public Resume(String stream, String nodeId, String resumeToken) {
      this(stream, nodeId, resumeToken, null);
    }

    /** Unsigned: refused by every coordinator ({@code bad-credential}); for tests of just that. */
    public Resume(String stream, String nodeId, String resumeToken, Integer maxChildren) {
      this(stream, nodeId, resumeToken, maxChildren, null, null, null);
    }

    @Override
    public String toString() {
      // The token is a credential for the place: never printed.
      return "Resume[stream="
          + stream
          + ", nodeId="
          + nodeId
          + ", maxChildren="
          + maxChildren
          + "]";
    }
  }

  /**
   * Server → client: the place given. {@code parent} is null for the origin. {@code fallbacks}:
   * base URLs of the origin and boosters serving {@code /hls/<stream>/…}, for chunks the parent
   * does not deliver in time. {@code contentKey}: a private stream's AES-GCM key (base64), only for
   * viewers admitted with a viewer token. {@code coordinators}: the base URLs of the cluster's live
   * coordinators (their {@code http.publicUrl}), where a node whose coordinator dies may {@code
   * resume}; absent from an older coordinator's welcome.
   */
  record Welcome(
      String nodeId,
      String parent,
      int depth,
      int capacity,
      String resumeToken,
      boolean resumed,
      long heartbeatIntervalMs,
      java.util.List<IceServer> iceServers,
      StreamInfo stream,
      java.util.List<String> fallbacks,
      String contentKey,
      java.util.List<String> coordinators)
      implements Message {
    public Welcome(
        String nodeId,
        String parent,
        int depth,
        int capacity,
        String resumeToken,
        boolean resumed,
        long heartbeatIntervalMs,
        java.util.List<IceServer> iceServers,
        StreamInfo stream,
        java.util.List<String> fallbacks) {
      this(
          nodeId,
          parent,
          depth,
          capacity,
          resumeToken,
          resumed,
          heartbeatIntervalMs,
          iceServers,
          stream,
          fallbacks,
          null,
          null);
    }

    @Override
    public String toString() {
      return "Welcome[nodeId="
          + nodeId
          + ", parent="
          + parent
          + ", depth="
          + depth
          + ", resumed="
          + resumed
          + "]";
    }
  }

  /**
   * Server → client: something was refused. {@code code} is for programs, {@code message} for
   * people.
   */
  record Error(String code, String message) implements Message {}

  /**
   * SDP or trickle ICE between the two ends of one tree edge. The client fills {@code to}; the
   * server fills {@code from} when it delivers. {@code data} is opaque to the coordinator.
   */
  record Signal(String from, String to, com.fasterxml.jackson.databind.JsonNode data)
      implements Message {}

  /**
   * Client → server every heartbeat interval; {@code uplinkKbps} (measured) may change the node's
   * capacity.
   */
  record Heartbeat(Integer uplinkKbps, com.fasterxml.jackson.databind.JsonNode stats)
      implements Message {}

  /**
   * Client → server: my parent {@code about} starves me ({@code "starving"}) or sent bad data
   * ({@code "bad-data"}); or my child {@code about} cannot keep up ({@code "slow-child"}). A
   * starving report from an open link carries {@code share}: the parent's share (0–1) of the bytes
   * the reporter took in over its window; absent when no link carried anything to measure.
   */
  record Report(String about, String reason, String detail, Double share) implements Message {
    public Report(String about, String reason, String detail) {
      this(about, reason, detail, null);
    }
  }

  /** Client → server: graceful departure. */
  record Leave() implements Message {}

  /**
   * Server → client: your parent changed (repair, rebalancing or a report); connect to {@code
   * parent}.
   */
  record Reparent(String parent, int depth, String reason) implements Message {}

  /** Server → parent: a child was assigned to you; expect its offer. */
  record ChildJoined(String child) implements Message {}

  /** Server → parent: a child left you (gone or moved); close that connection. */
  record ChildLeft(String child) implements Message {}

  /**
   * Server → client: fresh ICE servers for the links this node makes from now on, replacing the
   * welcome's. Sent before the TURN credentials a node holds expire (their expiry is in the
   * username), so a node connected for longer than their lifetime can still open links through
   * TURN. Links already open keep what they have.
   */
  record IceServers(java.util.List<IceServer> iceServers) implements Message {}

  /**
   * Server → origin: the stream's publish key was rotated and this origin stays connected: from now
   * on its own ingest (HTTP PUT, WHIP, RTMP) admits only the key whose SHA-256 is {@code keyHash}
   * (base64url, no padding), as the coordinators do. The key itself never travels here: the admin
   * was shown it once.
   */
  record PublishKey(String keyHash) implements Message {}

  /**
   * Server → client: a fresh resume token, replacing the welcome's (or the last of these) before it
   * expires. Sent at a heartbeat once half of the current token's life has passed.
   */
  record ResumeToken(String resumeToken) implements Message {
    @Override
    public String toString() {
      return "ResumeToken[…]"; // a credential: never printed
    }
  }

  /**
   * A STUN/TURN server the client may use, in the shape of the browser's {@code RTCIceServer}. A
   * TURN server carries a time-limited {@code username} ({@code <expiry unix seconds>:<node id>})
   * and {@code credential}.
   */
  record IceServer(java.util.List<String> urls, String username, String credential) {
    @Override
    public String toString() {
      // The credential opens the TURN server to whoever holds it: never in a log line.
      return "IceServer[urls="
          + urls
          + ", username="
          + username
          + (credential == null ? "" : ", credential=…")
          + "]";
    }
  }

  /**
   * What a node needs to know about the stream it joined; {@code publicKey} is null until an origin
   * has joined. {@code type}: {@code "hls"} (signed chunks over DataChannels) or {@code "realtime"}
   * (media tracks forwarded down the tree); absent from an older coordinator's welcome, which means
   * hls.
   */
  record StreamInfo(
      String name,
      int bitrateKbps,
      int maxChildren,
      boolean privateStream,
      String publicKey,
      String type) {
    public StreamInfo(
        String name, int bitrateKbps, int maxChildren, boolean privateStream, String publicKey) {
      this(name, bitrateKbps, maxChildren, privateStream, publicKey, null);
    }
  }
}

package dev.waterfall.tree;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binary form of a {@link StreamTree}: nodes in breadth-first order, each naming its parent by
 * position, so children keep their order and a parent always precedes its children (no cycle can be
 * encoded). Indexes are rebuilt on read; they are deterministic functions of the nodes.
 *
 * <pre>
 * u8 version=2 | utf stream | utf rootId | i32 maxChildren | i32 bitrateKbps | i64 createdAt | i64 nextSeq
 * | i32 rootCapacity | owner rootOwner | i32 count
 * | count × (utf id | u8 role | u8 capacity | i64 joinedAt | i64 seq | owner | i32 parentPosition
 *            | standing)
 * standing = u8 requested | u8 ceiling | u8 demoted | i64 barredUntil | u8 demotions | i64 quietSince
 *            | u8 backoff | owner strikeBy | i64 strikeAt | i64 starvedAt
 * owner = u8 0 | u8 1 utf
 * </pre>
 */
final class TreeCodec {
  static final int VERSION = 3;

  private TreeCodec() {}

  static void write(StreamTree streamTree, DataOutput out) throws IOException {
    TreeStructure tree = streamTree.tree;
    out.writeByte(VERSION);
    out.writeUTF(streamTree.stream());
    out.writeUTF(tree.root.id);
    out.writeInt(tree.maxChildren);
    out.writeInt(streamTree.bitrateKbps());
    out.writeLong(tree.root.joinedAt);
    out.writeLong(tree.nextSeq());
    out.writeInt(tree.root.capacity);
    writeOwner(out, tree.root.owner);
    out.writeInt(tree.size() - 1);
    List<Node> order = new ArrayList<>(tree.size());
    Map<Node, Integer> position = new IdentityHashMap<>();
    ArrayDeque<Node> queue = new ArrayDeque<>();
    queue.add(tree.root);
    while (!queue.isEmpty()) {
      Node node = queue.poll();
      position.put(node, order.size());
      order.add(node);
      queue.addAll(node.children);
    }
    for (Node node : order.subList(1, order.size())) {
      out.writeUTF(node.id);
      out.writeByte(node.role.ordinal());
      out.writeByte(node.capacity);
      out.writeLong(node.joinedAt);
      out.writeLong(node.seq);
      writeOwner(out, node.owner);
      out.writeInt(position.get(node.parent));
      Standing st = node.standing;
      out.writeByte(st.requested);
      out.writeByte(st.ceiling);
      out.writeBoolean(st.demoted);
      out.writeLong(st.barredUntil);
      out.writeByte(st.demotions);
      out.writeLong(st.quietSince);
      out.writeByte(st.backoff);
      writeOwner(out, st.strikeBy);
      out.writeLong(st.strikeAt);
      out.writeLong(st.starvedAt);
    }
  }

  static StreamTree read(DataInput in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("unsupported tree format version " + version);
    }
    StreamTree streamTree;
    try {
      String stream = in.readUTF();
      String rootId = in.readUTF();
      int maxChildren = in.readInt();
      int bitrate = in.readInt();
      long createdAt = in.readLong();
      streamTree = new StreamTree(stream, rootId, maxChildren, bitrate, createdAt);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt tree header: " + e.getMessage(), e);
    }
    TreeStructure tree = streamTree.tree;
    long nextSeq = in.readLong();
    int rootCapacity = in.readInt();
    check(nextSeq >= 1 && rootCapacity >= 0 && rootCapacity <= tree.maxChildren, "header values");
    tree.nextSeq(nextSeq);
    tree.setCapacity(tree.root, rootCapacity);
    tree.root.standing.requested = rootCapacity;
    tree.setOwner(tree.root, readOwner(in));
    int count = in.readInt();
    check(count >= 0, "node count");
    // Grown as nodes actually arrive: a corrupt count cannot make us allocate ahead of the input.
    List<Node> order = new ArrayList<>();
    order.add(tree.root);
    Set<Long> sequences = new HashSet<>();
    for (int i = 0; i < count; i++) {
      String id = in.readUTF();
      int role = in.readUnsignedByte();
      int capacity = in.readUnsignedByte();
      long joinedAt = in.readLong();
      long seq = in.readLong();
      String owner = readOwner(in);
      int parentPosition = in.readInt();
      int requested = in.readUnsignedByte();
      int ceiling = in.readUnsignedByte();
      int demoted = in.readUnsignedByte();
      long barredUntil = in.readLong();
      int demotions = in.readUnsignedByte();
      long quietSince = in.readLong();
      int backoff = in.readUnsignedByte();
      String strikeBy = readOwner(in);
      long strikeAt = in.readLong();
      long starvedAt = in.readLong();
      check(!id.isBlank() && tree.get(id) == null, "duplicate or blank id");
      check(role == Role.BOOSTER.ordinal() || role == Role.VIEWER.ordinal(), "role");
      check(capacity <= tree.maxChildren, "capacity");
      check(seq >= 1 && seq < nextSeq && sequences.add(seq), "sequence number");
      check(parentPosition >= 0 && parentPosition < order.size(), "parent position");
      Node parent = order.get(parentPosition);
      check(parent.hasFreeSlot(), "fan-out exceeds capacity");
      check(demoted <= 1, "demoted flag");
      check(requested <= tree.maxChildren && ceiling <= Standing.NO_CEILING, "standing slots");
      check(backoff <= TrustRule.MAX_DOUBLINGS, "standing backoff");
      Node node =
          tree.restoreChild(id, Role.values()[role], capacity, joinedAt, seq, owner, parent);
      Standing st = node.standing;
      st.requested = requested;
      st.ceiling = ceiling;
      st.demoted = demoted == 1;
      st.barredUntil = barredUntil;
      st.demotions = demotions;
      st.quietSince = quietSince;
      st.backoff = backoff;
      st.strikeBy = strikeBy;
      st.strikeAt = strikeAt;
      st.starvedAt = starvedAt;
      order.add(node);
    }
    try {
      streamTree.validate();
    } catch (IllegalStateException e) {
      throw new IOException("corrupt tree: " + e.getMessage(), e);
    }
    return streamTree;
  }

  private static void writeOwner(DataOutput out, String owner) throws IOException {
    out.writeBoolean(owner != null);
    if (owner != null) {
      out.writeUTF(owner);
    }
  }

  private static String readOwner(DataInput in) throws IOException {
    int flag = in.readUnsignedByte();
    check(flag <= 1, "owner flag");
    return flag == 1 ? in.readUTF() : null;
  }

  private static void check(boolean ok, String what) throws IOException {
    if (!ok) {
      throw new IOException("corrupt tree: bad " + what);
    }
  }
}

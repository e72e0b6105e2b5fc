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
 *            | u8 demoted | owner reportedBy | i64 reportedAt)
 * owner = u8 0 | u8 1 utf
 * </pre>
 */
final class TreeCodec {
  static final int VERSION = 2;

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
      out.writeBoolean(node.demoted);
      writeOwner(out, node.reportedBy);
      out.writeLong(node.reportedAt);
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
      int demoted = in.readUnsignedByte();
      String reportedBy = readOwner(in);
      long reportedAt = in.readLong();
      check(!id.isBlank() && tree.get(id) == null, "duplicate or blank id");
      check(role == Role.BOOSTER.ordinal() || role == Role.VIEWER.ordinal(), "role");
      check(capacity <= tree.maxChildren, "capacity");
      check(seq >= 1 && seq < nextSeq && sequences.add(seq), "sequence number");
      check(parentPosition >= 0 && parentPosition < order.size(), "parent position");
      Node parent = order.get(parentPosition);
      check(parent.hasFreeSlot(), "fan-out exceeds capacity");
      check(demoted <= 1 && (demoted == 0 || capacity == 0), "demoted flag");
      Node node =
          tree.restoreChild(id, Role.values()[role], capacity, joinedAt, seq, owner, parent);
      node.demoted = demoted == 1;
      node.reportedBy = reportedBy;
      node.reportedAt = reportedAt;
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

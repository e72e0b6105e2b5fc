package dev.waterfall.coordinator.cluster;

import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import dev.waterfall.coordinator.cluster.Outcomes.Joined;
import dev.waterfall.coordinator.cluster.Outcomes.Place;
import dev.waterfall.coordinator.cluster.Outcomes.Removed;
import dev.waterfall.coordinator.cluster.Outcomes.RootClaim;
import dev.waterfall.coordinator.cluster.Outcomes.Shape;
import dev.waterfall.coordinator.cluster.TreeProcessors.ClaimRoot;
import dev.waterfall.coordinator.cluster.TreeProcessors.EdgeOwner;
import dev.waterfall.coordinator.cluster.TreeProcessors.Join;
import dev.waterfall.coordinator.cluster.TreeProcessors.ReleaseRoot;
import dev.waterfall.coordinator.cluster.TreeProcessors.Remove;
import dev.waterfall.coordinator.cluster.TreeProcessors.Resume;
import dev.waterfall.tree.Role;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * How the hot-path processors and their results cross Hazelcast: fields in a fixed order, lists as
 * count + fields, all type ids in this one place. Hazelcast turns every entry processor's result
 * into bytes on the partition thread and back on the caller, even on a one-member cluster, and
 * sends every mutation to the backup; Java serialisation made that about a third of the partition
 * thread's time. One {@link StreamSerializer} per type (as for the tree itself) rather than
 * IdentifiedDataSerializable, so the types stay immutable records, rebuilt through their
 * constructors. Anything not listed here (the rarer processors and results) still goes through Java
 * serialisation.
 */
final class Wire {
  static final int TREE = 7301;
  static final int JOIN = 7302;
  static final int REMOVE = 7303;
  static final int EDGE_OWNER = 7304;
  static final int CLAIM_ROOT = 7305;
  static final int RELEASE_ROOT = 7306;
  static final int RESUME = 7307;
  static final int JOINED = 7320;
  static final int REMOVED = 7321;
  static final int SHAPE = 7322;
  static final int PLACE = 7323;
  static final int ROOT_CLAIM = 7324;
  static final int EDGE = 7325;

  private static final Role[] ROLES = Role.values();

  private Wire() {}

  static List<SerializerConfig> serializers() {
    return List.of(
        codec(
            Join.class,
            JOIN,
            (o, j) -> {
              o.writeString(j.id());
              o.writeByte(j.role().ordinal());
              o.writeInt(j.capacity());
              o.writeLong(j.joinedAt());
              o.writeString(j.owner());
              o.writeInt(j.maxNodes());
            },
            i ->
                new Join(
                    i.readString(),
                    ROLES[i.readByte()],
                    i.readInt(),
                    i.readLong(),
                    i.readString(),
                    i.readInt())),
        codec(
            Remove.class,
            REMOVE,
            (o, r) -> {
              o.writeString(r.id());
              o.writeString(r.owner());
              o.writeString(r.strategy());
            },
            i -> new Remove(i.readString(), i.readString(), i.readString())),
        codec(
            EdgeOwner.class,
            EDGE_OWNER,
            (o, e) -> {
              o.writeString(e.from());
              o.writeString(e.to());
            },
            i -> new EdgeOwner(i.readString(), i.readString())),
        codec(
            ClaimRoot.class,
            CLAIM_ROOT,
            (o, c) -> o.writeString(c.owner()),
            i -> new ClaimRoot(i.readString())),
        codec(
            ReleaseRoot.class,
            RELEASE_ROOT,
            (o, r) -> o.writeString(r.owner()),
            i -> new ReleaseRoot(i.readString())),
        codec(
            Resume.class,
            RESUME,
            (o, r) -> {
              o.writeString(r.id());
              o.writeString(r.owner());
              o.writeString(r.tokenOwner());
            },
            i -> new Resume(i.readString(), i.readString(), i.readString())),
        // Java evaluates constructor arguments left to right, so each reader reads in its writer's
        // order.
        codec(
            Joined.class,
            JOINED,
            (o, j) -> {
              o.writeString(j.parent());
              o.writeString(j.parentOwner());
              o.writeInt(j.depth());
              o.writeInt(j.capacity());
              writeEdges(o, j.moves());
              writeShape(o, j.shape());
            },
            i ->
                new Joined(
                    i.readString(),
                    i.readString(),
                    i.readInt(),
                    i.readInt(),
                    readEdges(i),
                    readShape(i))),
        codec(
            Removed.class,
            REMOVED,
            (o, r) -> {
              o.writeString(r.parent());
              o.writeString(r.parentOwner());
              writeEdges(o, r.moves());
              writeShape(o, r.shape());
            },
            i -> new Removed(i.readString(), i.readString(), readEdges(i), readShape(i))),
        codec(Shape.class, SHAPE, Wire::writeShape, Wire::readShape),
        codec(Place.class, PLACE, Wire::writePlace, Wire::readPlace),
        codec(
            RootClaim.class,
            ROOT_CLAIM,
            (o, c) -> {
              o.writeBoolean(c.granted());
              o.writeBoolean(c.place() != null);
              if (c.place() != null) {
                writePlace(o, c.place());
              }
            },
            i -> new RootClaim(i.readBoolean(), i.readBoolean() ? readPlace(i) : null)),
        codec(Edge.class, EDGE, Wire::writeEdge, Wire::readEdge));
  }

  private static void writeShape(ObjectDataOutput o, Shape s) throws IOException {
    o.writeInt(s.size());
    o.writeInt(s.maxDepth());
  }

  private static Shape readShape(ObjectDataInput i) throws IOException {
    return new Shape(i.readInt(), i.readInt());
  }

  private static void writeEdge(ObjectDataOutput o, Edge e) throws IOException {
    o.writeString(e.nodeId());
    o.writeString(e.nodeOwner());
    o.writeString(e.oldParent());
    o.writeString(e.oldParentOwner());
    o.writeString(e.newParent());
    o.writeString(e.newParentOwner());
    o.writeInt(e.depth());
  }

  private static Edge readEdge(ObjectDataInput i) throws IOException {
    return new Edge(
        i.readString(),
        i.readString(),
        i.readString(),
        i.readString(),
        i.readString(),
        i.readString(),
        i.readInt());
  }

  private static void writeEdges(ObjectDataOutput o, List<Edge> edges) throws IOException {
    o.writeInt(edges.size());
    for (Edge e : edges) {
      writeEdge(o, e);
    }
  }

  private static List<Edge> readEdges(ObjectDataInput i) throws IOException {
    int n = i.readInt();
    if (n == 0) {
      return List.of();
    }
    Edge[] edges = new Edge[n];
    for (int k = 0; k < n; k++) {
      edges[k] = readEdge(i);
    }
    return List.of(edges);
  }

  private static void writePlace(ObjectDataOutput o, Place p) throws IOException {
    o.writeString(p.role());
    o.writeString(p.parent());
    o.writeInt(p.depth());
    o.writeInt(p.capacity());
    writeStrings(o, p.children());
    writeStrings(o, p.childOwners());
  }

  private static Place readPlace(ObjectDataInput i) throws IOException {
    return new Place(
        i.readString(), i.readString(), i.readInt(), i.readInt(), readStrings(i), readStrings(i));
  }

  /** Elements may be null (a child's owner when it is not connected). */
  private static void writeStrings(ObjectDataOutput o, List<String> strings) throws IOException {
    o.writeInt(strings.size());
    for (String s : strings) {
      o.writeString(s);
    }
  }

  private static List<String> readStrings(ObjectDataInput i) throws IOException {
    String[] out = new String[i.readInt()];
    for (int k = 0; k < out.length; k++) {
      out[k] = i.readString();
    }
    return Collections.unmodifiableList(Arrays.asList(out));
  }

  interface Writer<T> {
    void write(ObjectDataOutput out, T value) throws IOException;
  }

  interface Reader<T> {
    T read(ObjectDataInput in) throws IOException;
  }

  private static <T> SerializerConfig codec(
      Class<T> type, int id, Writer<T> writer, Reader<T> reader) {
    return new SerializerConfig()
        .setTypeClass(type)
        .setImplementation(new Codec<>(id, writer, reader));
  }

  private static final class Codec<T> implements StreamSerializer<T> {
    private final int id;
    private final Writer<T> writer;
    private final Reader<T> reader;

    Codec(int id, Writer<T> writer, Reader<T> reader) {
      this.id = id;
      this.writer = writer;
      this.reader = reader;
    }

    @Override
    public int getTypeId() {
      return id;
    }

    @Override
    public void write(ObjectDataOutput out, T value) throws IOException {
      writer.write(out, value);
    }

    @Override
    public T read(ObjectDataInput in) throws IOException {
      return reader.read(in);
    }
  }
}

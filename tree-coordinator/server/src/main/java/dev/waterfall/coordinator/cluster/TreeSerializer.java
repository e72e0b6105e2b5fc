package dev.waterfall.coordinator.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import dev.waterfall.tree.StreamTree;
import java.io.IOException;

/** Hazelcast writes a tree (for backups and migration) in the model's own compact format. */
final class TreeSerializer implements StreamSerializer<StreamTree> {
  @Override
  public int getTypeId() {
    return Wire.TREE;
  }

  @Override
  public void write(ObjectDataOutput out, StreamTree tree) throws IOException {
    tree.writeTo(out);
  }

  @Override
  public StreamTree read(ObjectDataInput in) throws IOException {
    return StreamTree.readFrom(in);
  }
}

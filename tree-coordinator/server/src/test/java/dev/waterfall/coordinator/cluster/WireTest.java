package dev.waterfall.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import dev.waterfall.coordinator.cluster.Outcomes.Joined;
import dev.waterfall.coordinator.cluster.Outcomes.Place;
import dev.waterfall.coordinator.cluster.Outcomes.Removed;
import dev.waterfall.coordinator.cluster.Outcomes.RootClaim;
import dev.waterfall.coordinator.cluster.Outcomes.Shape;
import dev.waterfall.coordinator.config.CoordinatorConfig;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.protocol.config.Settings;
import dev.waterfall.tree.Role;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each of Wire's serializers, through a real member's serialization service: same value back, own
 * type id.
 */
class WireTest {
  private static HazelcastInstance hz;
  private static SerializationService ss;

  @BeforeAll
  static void start() {
    var cluster =
        CoordinatorConfig.from(
                Settings.defaultsOnly()
                    .with(
                        Map.of(
                            "cluster.port",
                            Integer.toString(TestCoordinator.nextClusterPort()),
                            "cluster.name",
                            "wire-test-" + ProcessHandle.current().pid())))
            .cluster();
    hz = HazelcastSetup.start(cluster);
    ss = ((SerializationServiceSupport) hz).getSerializationService();
  }

  @AfterAll
  static void stop() {
    hz.shutdown();
  }

  private static void roundTrip(Object value, int typeId) {
    Data data = ss.toData(value);
    assertEquals(
        typeId, data.getType(), () -> value.getClass().getSimpleName() + " not through Wire");
    Object back = ss.toObject(data);
    assertEquals(value, back);
  }

  private static final Edge MOVED = new Edge("v7", "member-a", "v3", null, "v1", "member-b", 2);
  private static final Edge EVICTED = new Edge("v9", null, null, null, null, null, -1);
  private static final Place PLACE =
      new Place("viewer", "origin", 1, 4, List.of("v2", "v3"), Arrays.asList("member-a", null));

  @Test
  void processors() {
    for (Role role : Role.values()) {
      roundTrip(
          new TreeProcessors.Join("v1", role, 4, 1_700_000_000_123L, "member-a", 50_000),
          Wire.JOIN);
    }
    roundTrip(new TreeProcessors.Join("v1", Role.VIEWER, 0, 0, null, Integer.MAX_VALUE), Wire.JOIN);
    roundTrip(new TreeProcessors.Remove("v1", "member-a", "leaf-swap"), Wire.REMOVE);
    roundTrip(new TreeProcessors.EdgeOwner("v1", "v2"), Wire.EDGE_OWNER);
    roundTrip(new TreeProcessors.ClaimRoot("member-a"), Wire.CLAIM_ROOT);
    roundTrip(new TreeProcessors.ReleaseRoot("member-a"), Wire.RELEASE_ROOT);
    roundTrip(new TreeProcessors.Resume("v1", "member-b", "member-a"), Wire.RESUME);
  }

  @Test
  void outcomes() {
    Shape shape = new Shape(100_000, 9);
    roundTrip(shape, Wire.SHAPE);
    roundTrip(new Joined("v1", "member-a", 2, 4, List.of(), shape), Wire.JOINED);
    roundTrip(new Joined("b1", null, 1, 3, List.of(MOVED, EVICTED), shape), Wire.JOINED);
    roundTrip(new Joined(null, null, -1, 0, List.of(), shape), Wire.JOINED);
    roundTrip(new Removed("origin", "member-a", List.of(MOVED, EVICTED), shape), Wire.REMOVED);
    roundTrip(new Removed(null, null, List.of(), shape), Wire.REMOVED);
    roundTrip(PLACE, Wire.PLACE);
    roundTrip(new Place("origin", null, 0, 4, List.of(), List.of()), Wire.PLACE);
    roundTrip(new RootClaim(true, PLACE), Wire.ROOT_CLAIM);
    roundTrip(new RootClaim(false, null), Wire.ROOT_CLAIM);
    roundTrip(MOVED, Wire.EDGE);
    roundTrip(EVICTED, Wire.EDGE);
  }

  /**
   * Edges inside the results still on Java serialisation (Moved, SweepResult) must keep working.
   */
  @Test
  void javaSerialisedResultsStillCarryEdges() {
    Outcomes.Moved moved = new Outcomes.Moved(List.of(MOVED), new Shape(3, 2));
    assertEquals(moved, ss.toObject(ss.toData(moved)));
  }
}

package dev.waterfall.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.protocol.Role;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The wire's roles and the tree model's are the same ones, each mapping to the other and back. */
class RolesTest {
  @Test
  void everyRoleCrossesBothWaysAndBack() {
    assertThat(Role.values()).hasSameSizeAs(dev.waterfall.tree.Role.values());
    for (Role role : Role.values()) {
      assertThat(Roles.onWire(Roles.inTree(role))).isEqualTo(role);
    }
    assertThat(Arrays.stream(dev.waterfall.tree.Role.values()).map(Roles::onWire))
        .containsExactly(Role.ORIGIN, Role.BOOSTER, Role.VIEWER);
  }
}

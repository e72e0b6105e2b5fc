package dev.waterfall.loadtest.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;

/**
 * Where a figure was measured: without cores, memory and JVM a number cannot be compared with
 * another.
 */
public final class Machine {
  private Machine() {}

  public static ObjectNode describe() {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      m.put("physicalMemoryBytes", os.getTotalMemorySize());
    }
    m.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    // Other work on the machine skews every figure: the 1-minute load average at the start shows
    // whether there was any.
    m.put(
        "loadAverageAtStart",
        Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100)
            / 100.0);
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    ObjectNode jvm = m.putObject("jvm");
    jvm.put("version", System.getProperty("java.version"));
    jvm.put("vendor", System.getProperty("java.vendor"));
    jvm.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    jvm.put(
        "gc",
        String.join(
            ",",
            ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(b -> b.getName())
                .toList()));
    jvm.put("args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    return m;
  }
}

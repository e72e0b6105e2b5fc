package dev.waterfall.loadtest.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmMemoryTest {
  /**
   * What jcmd printed for GC.run, GC.heap_info and VM.native_memory summary on a Serial-GC JVM 17
   * (abridged).
   */
  private static final String SERIAL =
      """
      10134:
      Command executed successfully
       def new generation   total 19648K, used 512K [0x00000000fc000000, 0x00000000fd550000, 0x00000000fd550000)
        eden space 17472K,   2% used [0x00000000fc000000, 0x00000000fc000000, 0x00000000fd110000)
        from space 2176K,   0% used [0x00000000fd110000, 0x00000000fd110000, 0x00000000fd330000)
       tenured generation   total 43712K, used 449K [0x00000000fd550000, 0x0000000100000000, 0x0000000100000000)
         the space 43712K,   1% used [0x00000000fd550000, 0x00000000fd5c0510, 0x00000000fd5c0600, 0x0000000100000000)
       Metaspace       used 131K, committed 320K, reserved 1114112K

      Native Memory Tracking:

      Total: reserved=1460880KB, committed=89052KB
             malloc: 2560KB #5494
             mmap:   reserved=1458320KB, committed=86492KB

      -                 Java Heap (reserved=65536KB, committed=65536KB)
                                  (mmap: reserved=65536KB, committed=65536KB)

      -                    Thread (reserved=14375KB, committed=803KB)
                                  (thread #14)
      -    Native Memory Tracking (reserved=90KB, committed=90KB)
      """;

  @Test
  void readsTheLiveHeapAndNmtCommitted() {
    JvmMemory m = JvmMemory.parse(SERIAL);
    // generations summed; spaces and Metaspace not counted again
    assertThat(m.heapUsedKb()).isEqualTo(512 + 449);
    assertThat(m.nmtCommittedKb()).isEqualTo(89052);
    assertThat(m.nmtCategoriesKb())
        .containsEntry("Java Heap", 65536L)
        .containsEntry("Thread", 803L)
        .containsEntry("Native Memory Tracking", 90L)
        .hasSize(3);
  }

  @Test
  void g1sOneHeapLineAndNmtOffGiveWhatTheyCan() {
    JvmMemory m =
        JvmMemory.parse(
            """
        4242:
         garbage-first heap   total 262144K, used 20480K [0x00000000f0000000, 0x0000000100000000)
          region size 1024K, 3 young (3072K), 0 survivors (0K)
        Native memory tracking is not enabled
        """);
    assertThat(m.heapUsedKb()).isEqualTo(20480);
    assertThat(m.nmtCommittedKb()).isEqualTo(-1);
    assertThat(m.nmtCategoriesKb()).isEmpty();
    assertThat(JvmMemory.parse("").heapUsedKb()).isEqualTo(-1);
  }
}

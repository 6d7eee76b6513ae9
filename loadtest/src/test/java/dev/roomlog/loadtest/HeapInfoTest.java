package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** jcmd GC.heap_info output of JDK 17, as printed for each collector. */
class HeapInfoTest {
  @Test
  void readsG1sOneHeapLineAndLeavesMetaspaceOut() {
    String out =
        "28229:\n"
            + " garbage-first heap   total 262144K, used 5517K [0x00000000f0000000, 0x0000000100000000)\n"
            + "  region size 1024K, 4 young (4096K), 2 survivors (2048K)\n"
            + " Metaspace       used 8906K, committed 9088K, reserved 1114112K\n"
            + "  class space    used 1062K, committed 1152K, reserved 1048576K\n";
    assertEquals(5517L * 1024, HeapInfo.parseUsedBytes(out));
  }

  @Test
  void sumsParallelsGenerationsButNotTheirSpaces() {
    String out =
        "28304:\n"
            + " PSYoungGen      total 76288K, used 18351K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)\n"
            + "  eden space 65536K, 28% used [0x00000000fab00000,0x00000000fbcebcc0,0x00000000feb00000)\n"
            + "  from space 10752K, 0% used [0x00000000ff580000,0x00000000ff580000,0x0000000100000000)\n"
            + "  to   space 10752K, 0% used [0x00000000feb00000,0x00000000feb00000,0x00000000ff580000)\n"
            + " ParOldGen       total 175104K, used 100K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)\n"
            + "  object space 175104K, 0% used [0x00000000f0000000,0x00000000f0000000,0x00000000fab00000)\n"
            + " Metaspace       used 8932K, committed 9088K, reserved 1114112K\n"
            + "  class space    used 1062K, committed 1152K, reserved 1048576K\n";
    assertEquals((18351L + 100) * 1024, HeapInfo.parseUsedBytes(out));
  }

  @Test
  void readsZgcsSizeInMegabytes() {
    String out =
        "28609:\n"
            + " ZHeap           used 14M, capacity 256M, max capacity 256M\n"
            + " Metaspace       used 8904K, committed 9088K, reserved 1114112K\n";
    assertEquals(14L * 1024 * 1024, HeapInfo.parseUsedBytes(out));
  }

  @Test
  void saysWhatItCouldNotRead() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HeapInfo.parseUsedBytes("28609:\nCould not attach\n"));
    assertEquals(true, e.getMessage().contains("Could not attach"));
  }
}

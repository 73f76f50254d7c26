package dev.gantry.server.affinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuSetTest {
  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "0;0",
      "0-3;0-3",
      "3,1,2,0;0-3",
      "0-1, 5 ,7-9;0-1,5,7-9",
      "2-2;2",
      "1023;1023"})
  void readsAndWritesLinuxCpuLists(String list, String written) {
    assertEquals(written, CpuSet.parse(list).toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "'';a list of cores such as 0-3,8 is expected, got ''",
      "3-1;core range '3-1' ends before it starts; write it low-high",
      "1024;'1024' is not a core or range of cores: cores are numbers from 0 to 1023",
      "-1;'-1' is not a core or range of cores",
      "0,,1;'' is not a core or range of cores",
      "a-b;'a-b' is not a core or range of cores"})
  void namesWhatIsNotACore(String list, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CpuSet.parse(list));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void convertsToTheKernelsMaskWords() {
    CpuSet set = CpuSet.parse("0,63-64,1023");
    long[] words = set.words();
    assertEquals(CpuSet.MAX_CPUS / Long.SIZE, words.length);
    assertEquals(1L | 1L << 63, words[0]);
    assertEquals(1L, words[1]);
    assertEquals(1L << 63, words[15]);
    assertEquals(set, CpuSet.fromWords(words));
    assertArrayEquals(words, CpuSet.fromWords(words).words());
  }

  @Test
  void subtractsSets() {
    assertEquals("2-3", CpuSet.parse("0-3").minus(CpuSet.parse("0-1")).toString());
    assertTrue(CpuSet.parse("1").minus(CpuSet.parse("0-3")).isEmpty());
  }
}

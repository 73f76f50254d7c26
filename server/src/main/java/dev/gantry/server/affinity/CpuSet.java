package dev.gantry.server.affinity;

import java.util.BitSet;

/**
 * A set of CPU cores, read and written the way Linux lists them ({@code 0-3,8}). Host policies
 * name the cores an instance's threads run on with it.
 */
public final class CpuSet {
  /** The most cores a set can name: Linux's {@code CPU_SETSIZE}. */
  public static final int MAX_CPUS = 1024;

  private final BitSet cores;

  private CpuSet(BitSet cores) {
    this.cores = (BitSet) cores.clone();
  }

  /**
   * Reads a list such as {@code 0-3,8}: cores and inclusive ranges of cores, separated by commas.
   *
   * @throws IllegalArgumentException naming the part that is not a core or range of cores
   */
  public static CpuSet parse(String list) {
    BitSet cores = new BitSet();
    if (list.isBlank()) {
      throw new IllegalArgumentException("a list of cores such as 0-3,8 is expected, got ''");
    }
    for (String part : list.strip().split(",", -1)) {
      String item = part.strip();
      int dash = item.indexOf('-');
      int first = core(dash < 0 ? item : item.substring(0, dash), item);
      int last = dash < 0 ? first : core(item.substring(dash + 1), item);
      if (last < first) {
        throw new IllegalArgumentException(
            "core range '" + item + "' ends before it starts; write it low-high");
      }
      cores.set(first, last + 1);
    }
    return new CpuSet(cores);
  }

  private static int core(String text, String item) {
    if (!text.matches("[0-9]{1,4}") || Integer.parseInt(text) >= MAX_CPUS) {
      throw new IllegalArgumentException("'" + item + "' is not a core or range of cores: cores"
          + " are numbers from 0 to " + (MAX_CPUS - 1) + ", ranges are written low-high");
    }
    return Integer.parseInt(text);
  }

  /** The set whose cores are the set bits of a Linux {@code cpu_set_t} read as 64-bit words. */
  static CpuSet fromWords(long[] words) {
    return new CpuSet(BitSet.valueOf(words));
  }

  /** This set as a Linux {@code cpu_set_t}: {@link #MAX_CPUS} bits in 64-bit words. */
  long[] words() {
    long[] words = new long[MAX_CPUS / Long.SIZE];
    long[] set = cores.toLongArray();
    System.arraycopy(set, 0, words, 0, set.length);
    return words;
  }

  public boolean isEmpty() {
    return cores.isEmpty();
  }

  /** The cores of this set that are not in {@code other}. */
  public CpuSet minus(CpuSet other) {
    BitSet rest = (BitSet) cores.clone();
    rest.andNot(other.cores);
    return new CpuSet(rest);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CpuSet set && set.cores.equals(cores);
  }

  @Override
  public int hashCode() {
    return cores.hashCode();
  }

  /** The cores as a list in Linux's form, runs written as ranges: {@code 0-3,8}. */
  @Override
  public String toString() {
    StringBuilder list = new StringBuilder();
    for (int first = cores.nextSetBit(0); first >= 0; first = cores.nextSetBit(first + 1)) {
      int last = cores.nextClearBit(first) - 1;
      list.append(list.isEmpty() ? "" : ",").append(first);
      if (last > first) {
        list.append('-').append(last);
      }
      first = last;
    }
    return list.toString();
  }
}

package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.bench.report.SuitePlan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The run list {@code bench/run-suite.sh} reads from {@link SuitePlan}: every line splits as the
 * script splits it, and every run's arguments are options the load CLI takes.
 */
class SuitePlanArgumentsTest {
  /** The arguments the script adds to every run. */
  private static final List<String> COMMON = List.of("--measurement-interval", "3000",
      "--max-trials", "5", "--warmup-requests", "1000000", "--warmup-time", "6000",
      "--max-duration", "300", "--json", "out/json/run.json");

  @Test
  void everyRunOfThePlanIsACommandTheCliTakes() {
    List<String> lines = planLines();
    Set<String> names = new HashSet<>();
    for (String line : lines) {
      List<String> fields = Arrays.asList(line.split("\t"));
      assertTrue(fields.size() >= 4, line);
      assertTrue(names.add(fields.get(1)), "a run name is used twice: " + fields.get(1));
      assertTrue(fields.get(1).matches("[a-z0-9_]+"), "a name the script can use as a file");
      List<String> args = new ArrayList<>(COMMON);
      switch (fields.get(0)) {
        case "served", "echo" -> args.addAll(List.of("-u", "127.0.0.1:8001", "--server-pid", "1"));
        case "in-process" -> args.addAll(List.of("--in-process", "--model-repository", "models"));
        default -> throw new AssertionError("unknown target in " + line);
      }
      assertTrue(fields.get(2).equals("-") || fields.get(2).startsWith("-XX:"), line);
      args.addAll(fields.subList(3, fields.size()));
      BenchMain.commandLine(System.out, System.err, false).parseArgs(args.toArray(String[]::new));
    }
    assertEquals(lines.size(), names.size());
    assertTrue(names.containsAll(List.of("warmup_unary", "live_c1", "slow_inprocess_c2",
        "mlp_pair_served_r5", "identity_600k", "echo_identity_600k", "tiny_stream_c8")), names.toString());
  }

  private static List<String> planLines() {
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      SuitePlan.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    return printed.toString(StandardCharsets.UTF_8).lines().toList();
  }
}

package dev.gantry.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the {@code gantry bench} command in the test's JVM with its output captured, with short
 * windows so that each run takes about a second.
 */
final class Bench {
  /** Windows of 200 ms, at most three per level, after at most 20 warm-up requests. */
  static final List<String> QUICK = List.of(
      "--measurement-interval", "200", "--max-trials", "3", "--warmup-requests", "20");

  private Bench() {}

  /** What one run returned and printed. */
  record Result(int exit, String out, String err) {}

  static Result run(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = BenchMain.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, args.toArray(String[]::new));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs with {@link #QUICK} windows added to {@code args}. */
  static Result quick(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(QUICK);
    return run(all);
  }

  static JsonObject json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }
}

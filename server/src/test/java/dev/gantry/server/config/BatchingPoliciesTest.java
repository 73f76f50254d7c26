package dev.gantry.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.TextFormat;
import dev.gantry.proto.ModelConfig;
import dev.gantry.spi.ModelLoadException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scheduling settings of a configuration, as the scheduler receives them. */
class BatchingPoliciesTest {
  private static ModelConfig config(String text) throws Exception {
    ModelConfig.Builder config = ModelConfig.newBuilder();
    TextFormat.merge(text, config);
    return config.build();
  }

  private static String onArrival(String micros) {
    return "parameters { key: \"execute_on_arrival_us\" value { string_value: \"" + micros
        + "\" } }";
  }

  @Test
  void executeOnArrivalIsMicrosecondsAndOffByDefault() throws Exception {
    assertEquals(0, BatchingPolicies.from(config(""), 16).executeOnArrivalNanos());
    assertEquals(TimeUnit.MICROSECONDS.toNanos(200),
        BatchingPolicies.from(config(onArrival("200")), 16).executeOnArrivalNanos());
    assertEquals(TimeUnit.MICROSECONDS.toNanos(50), BatchingPolicies.from(
        config("max_batch_size: 8 " + onArrival(" 50 ")), 16).executeOnArrivalNanos());
  }

  @Test
  void executeOnArrivalOutOfRangeOrWithDynamicBatchingFailsTheLoad() {
    for (String bad : new String[] {"-1", "ten", "10001"}) {
      ModelLoadException e = assertThrows(ModelLoadException.class,
          () -> BatchingPolicies.from(config(onArrival(bad)), 16));
      assertEquals("parameter execute_on_arrival_us is '" + bad + "'; it takes microseconds,"
          + " 0 (off) to 10000", e.getMessage());
    }
    ModelLoadException batching = assertThrows(ModelLoadException.class,
        () -> BatchingPolicies.from(config("max_batch_size: 8 dynamic_batching { } "
            + onArrival("100")), 16));
    assertEquals("parameter execute_on_arrival_us is for models without dynamic_batching:"
        + " batches form in the queue, which it skips", batching.getMessage());
    ModelLoadException ordering = assertThrows(ModelLoadException.class,
        () -> BatchingPolicies.from(config("dynamic_batching { preserve_ordering: true } "
            + onArrival("100")), 16));
    assertEquals(batching.getMessage(), ordering.getMessage());
  }
}

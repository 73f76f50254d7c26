package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which runs get their outputs pinned, and what a pinned run hands back. */
class PinnedOutputsTest {
  private static final ModelSignature SIGNATURE = new ModelSignature(
      List.of(new TensorSpec("in", DataType.FP32, new long[] {-1, 4})),
      List.of(new TensorSpec("out", DataType.FP32, new long[] {-1, 4}),
          new TensorSpec("text", DataType.BYTES, new long[] {-1})));
  private final PinnedOutputs pinned =
      new PinnedOutputs(OrtEnvironment.getEnvironment(), SIGNATURE);

  private static Map<String, Tensor> input(long rows) {
    return Map.of("in", TestTensors.fp32(new long[] {rows, 4}, new float[(int) rows * 4]));
  }

  @Test
  void aKindIsItsInputShapesAndRequestedOutputs() {
    assertEquals(pinned.kind(input(2), Set.of("out")), pinned.kind(input(2), Set.of("out")));
    assertNotEquals(pinned.kind(input(2), Set.of("out")), pinned.kind(input(3), Set.of("out")));
    assertNotEquals(pinned.kind(input(2), Set.of("out")),
        pinned.kind(input(2), Set.of("out", "text")));
    assertNotEquals(pinned.kind(input(2), Set.of("out")),
        pinned.kind(Map.of("in", TestTensors.fp32(new long[] {2, 4, 1}, new float[8])),
            Set.of("out")), "the rank is part of the kind, not only the dimensions");
  }

  @Test
  void smallOutputsArePinnedAfterTheirFirstRunAndCopiedOutOfTheKeptMemory() throws Exception {
    PinnedOutputs.Kind kind = pinned.kind(input(1), Set.of("out"));
    assertTrue(pinned.tensors(kind).isEmpty(), "nothing is known before a first run");
    pinned.learn(kind, Map.of("out", TestTensors.fp32(new long[] {1, 4}, 1, 2, 3, 4)), false);

    var tensors = pinned.tensors(kind).orElseThrow();
    assertEquals(Set.of("out"), tensors.keySet());
    Tensor copied = pinned.copyOut(kind).get("out");
    assertArrayEquals(new long[] {1, 4}, copied.shape());
    assertTrue(!copied.data().isDirect(), "the caller's own memory, not the kept one");
  }

  @Test
  void largeOrStringOutputsAreNotPinned() throws Exception {
    long rows = PinnedOutputs.MAX_BYTES / 16 + 1;
    PinnedOutputs.Kind large = pinned.kind(input(rows), Set.of("out"));
    pinned.learn(large, Map.of("out",
        TestTensors.fp32(new long[] {rows, 4}, new float[(int) rows * 4])), false);
    assertTrue(pinned.tensors(large).isEmpty());

    PinnedOutputs.Kind text = pinned.kind(input(1), Set.of("text"));
    pinned.learn(text, Map.of("text", TestTensors.bytes(new long[] {1}, "a")), false);
    assertTrue(pinned.tensors(text).isEmpty());
  }

  @Test
  void aKindWhoseShapesChangedAfterAPinnedRunFailedIsNeverPinnedAgain() throws Exception {
    PinnedOutputs.Kind kind = pinned.kind(input(1), Set.of("out"));
    pinned.learn(kind, Map.of("out", TestTensors.fp32(new long[] {1, 4}, 1, 2, 3, 4)), false);
    pinned.learn(kind, Map.of("out", TestTensors.fp32(new long[] {2, 2}, 1, 2, 3, 4)), true);
    assertTrue(pinned.tensors(kind).isEmpty());
    pinned.learn(kind, Map.of("out", TestTensors.fp32(new long[] {1, 4}, 1, 2, 3, 4)), false);
    assertTrue(pinned.tensors(kind).isEmpty());
  }

  @Test
  void atMostTheKindLimitIsRemembered() throws Exception {
    for (int rows = 1; rows <= PinnedOutputs.MAX_KINDS + 1; rows++) {
      PinnedOutputs.Kind kind = pinned.kind(input(rows), Set.of("out"));
      pinned.learn(kind, Map.of("out",
          TestTensors.fp32(new long[] {rows, 4}, new float[rows * 4])), false);
      assertEquals(rows <= PinnedOutputs.MAX_KINDS, pinned.tensors(kind).isPresent(), "kind " + rows);
    }
  }

  @AfterEach
  void closeTheKeptTensors() {
    pinned.close();
  }
}

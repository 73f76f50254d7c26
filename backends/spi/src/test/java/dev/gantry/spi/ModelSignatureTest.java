package dev.gantry.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding a model's inputs and outputs by name, as validation does on every request. */
class ModelSignatureTest {
  private final ModelSignature signature = new ModelSignature(
      List.of(new TensorSpec("a", DataType.FP32, new long[] {-1, 2}),
          new TensorSpec("b", DataType.INT64, new long[] {1})),
      List.of(new TensorSpec("out", DataType.FP32, new long[] {-1, 2})));

  @Test
  void inputsAreFoundByNameAndPosition() {
    assertEquals(DataType.INT64, signature.input("b").orElseThrow().dataType());
    assertEquals(0, signature.inputIndex("a"));
    assertEquals(1, signature.inputIndex("b"));
    assertEquals(-1, signature.inputIndex("out"), "an output is not an input");
    assertTrue(signature.input("missing").isEmpty());
  }

  @Test
  void outputsAreFoundByName() {
    assertEquals("out", signature.output("out").orElseThrow().name());
    assertTrue(signature.output("a").isEmpty(), "an input is not an output");
  }
}

package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.client.TensorDatatype;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Concrete request shapes from declared ones, the batch size and {@code --shape}. */
class ShapeResolverTest {
  private static final ModelInfo BATCHING = new ModelInfo("m", "", 8,
      List.of(new InputSpec("a", TensorDatatype.FP32, new long[] {-1, 16}),
          new InputSpec("b", TensorDatatype.FP32, new long[] {-1, -1, 3})), List.of("y"));
  private static final ModelInfo FIXED = new ModelInfo("f", "", 0,
      List.of(new InputSpec("x", TensorDatatype.INT64, new long[] {2, -1})), List.of("y"));

  @Test
  void prependsTheBatchAndFillsVariableDimensions() {
    Map<String, long[]> shapes = ShapeResolver.resolve(BATCHING, 4, Map.of("b", new long[] {5, 3}));

    assertArrayEquals(new long[] {4, 16}, shapes.get("a"));
    assertArrayEquals(new long[] {4, 5, 3}, shapes.get("b"));
  }

  @Test
  void aModelWithoutBatchingTakesTheShapeAsGiven() {
    assertArrayEquals(new long[] {2, 7},
        ShapeResolver.resolve(FIXED, 1, Map.of("x", new long[] {2, 7})).get("x"));
  }

  @Test
  void namesTheOptionForAVariableDimensionLeftOpen() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShapeResolver.resolve(BATCHING, 1, Map.of()));
    assertEquals("input 'b' has shape [-1,3] with a variable dimension; give its size with "
        + "--shape b:d1,d2,...", e.getMessage());
  }

  @Test
  void refusesShapesAndBatchesThatDoNotFit() {
    assertThrows(IllegalArgumentException.class,
        () -> ShapeResolver.resolve(BATCHING, 9, Map.of("b", new long[] {1, 3})));
    assertThrows(IllegalArgumentException.class,
        () -> ShapeResolver.resolve(FIXED, 2, Map.of("x", new long[] {2, 7})));
    assertThrows(IllegalArgumentException.class,
        () -> ShapeResolver.resolve(BATCHING, 1, Map.of("b", new long[] {5, 4})));
    assertThrows(IllegalArgumentException.class,
        () -> ShapeResolver.resolve(BATCHING, 1, Map.of("b", new long[] {5})));
    assertThrows(IllegalArgumentException.class,
        () -> ShapeResolver.resolve(BATCHING, 1, Map.of("b", new long[] {5, 3}, "c", new long[] {1})));
  }
}

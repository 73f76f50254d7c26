package dev.gantry.server.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.memory.SharedMemoryRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request parameters the validator reads, one class at a time: integer parameters and the
 * timeout ({@link InferParameters}), and shared-memory references ({@link SharedMemoryReferences}).
 */
class RequestParametersTest {
  @TempDir Path directory;

  @Test
  void integerParametersTakeEitherIntegerTypeAndNameTheFieldOtherwise() {
    Map<String, InferParameter> parameters = Map.of(
        "a", InferParameter.newBuilder().setInt64Param(-3).build(),
        "b", InferParameter.newBuilder().setUint64Param(7).build(),
        "c", InferParameter.newBuilder().setStringParam("7").build());

    assertEquals(-3, InferParameters.integer(parameters, "a", "parameter 'a'"));
    assertEquals(7, InferParameters.integer(parameters, "b", "parameter 'b'"));
    assertEquals(0, InferParameters.integer(parameters, "absent", "parameter 'absent'"));
    InvalidArgumentException wrong = assertThrows(InvalidArgumentException.class,
        () -> InferParameters.integer(parameters, "c", "outputs[2].parameter 'c'"));
    assertEquals("outputs[2].parameter 'c' must be an int64_param or uint64_param, got"
        + " string_param", wrong.getMessage());
  }

  @Test
  void theTimeoutIsMicrosecondsAndNeverNegative() {
    assertEquals(2_500_000, InferParameters.timeoutNanos(
        Map.of("timeout", InferParameter.newBuilder().setInt64Param(2_500).build())));
    assertEquals(0, InferParameters.timeoutNanos(Map.of()));
    InvalidArgumentException negative = assertThrows(InvalidArgumentException.class,
        () -> InferParameters.timeoutNanos(
            Map.of("timeout", InferParameter.newBuilder().setInt64Param(-1).build())));
    assertEquals("parameter 'timeout' must be 0 or more microseconds, got -1",
        negative.getMessage());
  }

  @Test
  void sharedMemoryReferencesNeedARegionByNameAndASize() {
    SharedMemoryReferences references =
        new SharedMemoryReferences(new SharedMemoryRegistry(directory, 4));
    Map<String, InferParameter> sizeOnly = Map.of("shared_memory_byte_size",
        InferParameter.newBuilder().setInt64Param(64).build());
    assertTrue(SharedMemoryReferences.uses(sizeOnly));
    assertTrue(!SharedMemoryReferences.uses(Map.of("priority",
        InferParameter.newBuilder().setInt64Param(1).build())));

    InvalidArgumentException missing = assertThrows(InvalidArgumentException.class,
        () -> references.slice("input 'x'", "inputs[0].", sizeOnly));
    assertEquals("input 'x': inputs[0].parameters need both 'shared_memory_region' and"
        + " 'shared_memory_byte_size' to use shared memory ('shared_memory_offset' is optional)",
        missing.getMessage());

    ModelInferRequest request = ModelInferRequest.newBuilder()
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("y")
            .putParameters("shared_memory_region",
                InferParameter.newBuilder().setInt64Param(1).build())
            .putParameters("shared_memory_byte_size",
                InferParameter.newBuilder().setInt64Param(64).build()))
        .build();
    InvalidArgumentException numbered = assertThrows(InvalidArgumentException.class,
        () -> references.outputRegions(request));
    assertEquals("output 'y': outputs[0].parameter 'shared_memory_region' must be a"
        + " string_param, got int64_param", numbered.getMessage());
  }
}

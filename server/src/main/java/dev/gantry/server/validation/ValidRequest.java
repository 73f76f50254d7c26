package dev.gantry.server.validation;

import dev.gantry.server.memory.SharedMemorySlice;
import dev.gantry.spi.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A request that has passed validation: inputs as tensors in the model's order, ready for the
 * scheduler, and the request's choices that the transport needs to answer it.
 *
 * @param outputs the outputs to return, in the order the response lists them
 * @param classCounts the outputs to return as their top-k classes, with k
 * @param outputRegions the outputs to write into shared memory instead of the response
 * @param batchSize the number of batch items (1 when the model does not batch)
 * @param priorityLevel the queue level, 1 being the highest
 * @param timeoutNanos the queue timeout the request asked for, or 0 for the model's default
 */
public record ValidRequest(
    Map<String, Tensor> inputs,
    List<String> outputs,
    Map<String, Integer> classCounts,
    Map<String, SharedMemorySlice> outputRegions,
    long batchSize,
    int priorityLevel,
    long timeoutNanos) {}

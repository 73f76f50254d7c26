package dev.gantry.bench;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import dev.gantry.client.OutputOption;
import dev.gantry.client.SharedMemoryRange;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * perf_analyzer's {@code --shared-memory system}: the benchmark's input data written once into a
 * POSIX shared-memory object in {@code /dev/shm}, registered with the server as one region, and
 * every output given room there, so that requests carry only where their tensors lie and the
 * server, on the same host, reads and writes them in place. Outputs of concurrent requests for the
 * same data entry share their room, as in perf_analyzer; the benchmark never reads them.
 *
 * <p>Closing unregisters the region and removes the object.
 */
final class SystemSharedMemory implements AutoCloseable {
  private static final Path DIRECTORY = Path.of("/dev/shm");

  private final InferenceClient client;
  private final String region;
  private final Path object;
  private final List<InferRequest> requests;

  private SystemSharedMemory(
      InferenceClient client, String region, Path object, List<InferRequest> requests) {
    this.client = client;
    this.region = region;
    this.object = object;
    this.requests = List.copyOf(requests);
  }

  /**
   * Writes the data, registers the region and builds one request per data entry.
   *
   * @param outputBytes the room each output gets, perf_analyzer's {@code
   *     --output-shared-memory-size}
   * @throws SetupException when the object cannot be written or the server refuses the region
   */
  static SystemSharedMemory open(InferenceClient client, ModelInfo model, List<RequestData> data,
      long outputBytes) throws SetupException {
    List<InferRequest> requests = new ArrayList<>();
    String name = "gantry-bench-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
    Path object = DIRECTORY.resolve(name);
    long size = 0;
    for (RequestData entry : data) {
      size += entry.payloadBytes() + outputBytes * model.outputs().size();
    }
    try (FileChannel channel = FileChannel.open(object, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
      long offset = 0;
      for (RequestData entry : data) {
        InferRequest.Builder request = InferRequest.builder(model.name());
        if (!model.version().isEmpty()) {
          request.version(model.version());
        }
        for (TensorData input : entry.inputs()) {
          memory.put((int) offset, input.data(), 0, input.byteSize());
          request.input(InferInput.sharedMemory(input.name(), input.datatype(),
              new SharedMemoryRange(name, offset, input.byteSize()), input.shape()));
          offset += input.byteSize();
        }
        for (String output : model.outputs()) {
          request.output(output,
              OutputOption.sharedMemory(new SharedMemoryRange(name, offset, outputBytes)));
          offset += outputBytes;
        }
        requests.add(request.build());
      }
    } catch (IOException | IllegalArgumentException e) {
      deleteQuietly(object);
      throw new SetupException("cannot write shared memory object " + object + ": " + e, e);
    }
    try {
      client.registerSystemSharedMemory(name, "/" + name, 0, size);
    } catch (InferenceClientException e) {
      deleteQuietly(object);
      throw new SetupException("the server refused shared memory region '" + name + "': "
          + e.getMessage(), e);
    }
    return new SystemSharedMemory(client, name, object, requests);
  }

  /** One request per data entry, in data order, its tensors all in the region. */
  List<InferRequest> requests() {
    return requests;
  }

  @Override
  public void close() {
    try {
      client.unregisterSystemSharedMemory(region);
    } catch (InferenceClientException e) {
      // The server may be gone; the object is removed all the same.
    } finally {
      deleteQuietly(object);
    }
  }

  private static void deleteQuietly(Path object) {
    try {
      Files.deleteIfExists(object);
    } catch (IOException e) {
      // Nothing more to do: the object is the caller's to remove by hand.
    }
  }
}

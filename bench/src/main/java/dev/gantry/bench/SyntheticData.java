package dev.gantry.bench;

import dev.gantry.client.TensorDatatype;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates request data when no data file is given: zeros (one request, sent over and over) or
 * random values (a handful of different requests, so that caches see some variety), as with
 * perf_analyzer's {@code --input-data zero|random}.
 *
 * <p>Random numbers are small non-negative integers (0 to 99) for integer types, so that they fit
 * every width and sign, and uniform in [0, 1) for floating-point types. BYTES elements are strings
 * of {@code stringLength} characters: '0's for zero data, random letters and digits otherwise.
 */
final class SyntheticData {
  /** How many different requests random data cycles through. */
  static final int RANDOM_REQUESTS = 16;

  private static final byte[] ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".getBytes();

  private SyntheticData() {}

  /** One request of zeros. */
  static List<RequestData> zeros(List<InputSpec> inputs, Map<String, long[]> shapes, int stringLength) {
    return List.of(request(inputs, shapes, stringLength, null));
  }

  /** {@value #RANDOM_REQUESTS} requests of random values drawn from a generator seeded with {@code seed}. */
  static List<RequestData> random(
      List<InputSpec> inputs, Map<String, long[]> shapes, int stringLength, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<RequestData> requests = new ArrayList<>();
    for (int i = 0; i < RANDOM_REQUESTS; i++) {
      requests.add(request(inputs, shapes, stringLength, random));
    }
    return requests;
  }

  private static RequestData request(
      List<InputSpec> inputs, Map<String, long[]> shapes, int stringLength, SplittableRandom random) {
    List<TensorData> tensors = new ArrayList<>();
    for (InputSpec input : inputs) {
      long[] shape = shapes.get(input.name());
      long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
      ByteBuffer data =
          input.datatype() == TensorDatatype.BYTES
              ? strings(elements, stringLength, random)
              : numbers(input.datatype(), elements, random);
      tensors.add(new TensorData(input.name(), input.datatype(), shape, data));
    }
    return new RequestData(tensors);
  }

  private static ByteBuffer numbers(TensorDatatype type, long elements, SplittableRandom random) {
    ByteBuffer data = RawEncoding.allocate(Math.multiplyExact(elements, type.byteSize()));
    if (random == null) {
      return data;
    }
    for (long i = 0; i < elements; i++) {
      if (RawEncoding.isFloating(type)) {
        RawEncoding.putDouble(data, type, random.nextDouble());
      } else {
        RawEncoding.putLong(
            data, type, type == TensorDatatype.BOOL ? random.nextInt(2) : random.nextInt(100));
      }
    }
    return data.flip();
  }

  private static ByteBuffer strings(long elements, int length, SplittableRandom random) {
    List<byte[]> values = new ArrayList<>();
    for (long i = 0; i < elements; i++) {
      byte[] value = new byte[length];
      for (int c = 0; c < length; c++) {
        value[c] = random == null ? (byte) '0' : ALPHABET[random.nextInt(ALPHABET.length)];
      }
      values.add(value);
    }
    return RawEncoding.strings(values);
  }
}

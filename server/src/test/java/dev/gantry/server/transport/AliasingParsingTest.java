package dev.gantry.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.server.memory.DirectBufferPool;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AliasingParsingTest {
  private static final byte[] TENSOR = randomBytes(300_000);
  private static final byte[] MESSAGE = ModelInferRequest.newBuilder()
      .setModelName("wide")
      .setId("id-1")
      .addRawInputContents(ByteString.copyFrom(TENSOR))
      .build()
      .toByteArray();

  @Test
  void largeMessageFromTransportChunksAliasesOneArray() throws IOException {
    InputStream stream = inChunks(MESSAGE, 16 * 1024);
    assertTrue(AliasingParsing.applies(stream));

    ModelInferRequest request = AliasingParsing.parse(stream, ModelInferRequest.parser());

    assertEquals("wide", request.getModelName());
    assertEquals("id-1", request.getId());
    ByteBuffer tensor = request.getRawInputContents(0).asReadOnlyByteBuffer();
    // A window on the whole message's array, not an array of its own.
    assertEquals(MESSAGE.length, tensor.capacity());
    byte[] received = new byte[tensor.remaining()];
    tensor.get(received);
    assertTrue(Arrays.equals(TENSOR, received));
  }

  @Test
  void anInferenceRequestIsParsedIntoLentDirectMemoryThatItsTensorsAlias() throws IOException {
    DirectBufferPool pool = new DirectBufferPool();
    AliasingParsing.Lent<ModelInferRequest> lent =
        AliasingParsing.parseLent(inChunks(MESSAGE, 16 * 1024), ModelInferRequest.parser(), pool)
            .orElseThrow();

    ModelInferRequest request = lent.message();
    assertEquals("id-1", request.getId());
    ByteBuffer tensor = request.getRawInputContents(0).asReadOnlyByteBuffer();
    assertTrue(tensor.isDirect());
    byte[] received = new byte[tensor.remaining()];
    tensor.duplicate().get(received);
    assertTrue(Arrays.equals(TENSOR, received));

    int at = MESSAGE.length - TENSOR.length;
    lent.loan().buffer().put(at, (byte) (TENSOR[0] + 1));
    assertEquals((byte) (TENSOR[0] + 1), tensor.get(0), "a view of the lent memory, not a copy");
  }

  @Test
  void aMessageThatDoesNotParseGivesItsLoanBack() {
    DirectBufferPool pool = new DirectBufferPool();
    byte[] cut = Arrays.copyOf(MESSAGE, MESSAGE.length - 10);
    assertThrows(InvalidProtocolBufferException.class, () -> AliasingParsing.parseLent(
        inChunks(cut, 8192), ModelInferRequest.parser(), pool));
    assertEquals(512 * 1024, pool.retainedBytes(), "the loan is free again");
  }

  @Test
  void theInferenceMarshallerLendsMemoryUpToThePoolsLargestSizeAndUsesTheHeapAbove()
      throws IOException {
    DirectBufferPool pool = new DirectBufferPool();
    @SuppressWarnings("unchecked")
    MethodDescriptor.Marshaller<ModelInferRequest> requests =
        (MethodDescriptor.Marshaller<ModelInferRequest>) RequestParsing.strict(
                new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {}.bindService(), pool)
            .getMethod(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
            .getMethodDescriptor()
            .getRequestMarshaller();

    ModelInferRequest lent = requests.parse(inChunks(MESSAGE, 16 * 1024));
    assertTrue(lent.getRawInputContents(0).asReadOnlyByteBuffer().isDirect());

    byte[] huge = ModelInferRequest.newBuilder()
        .addRawInputContents(ByteString.copyFrom(new byte[DirectBufferPool.MAX_BYTES]))
        .build()
        .toByteArray();
    ModelInferRequest onHeap = requests.parse(inChunks(huge, 1 << 20));
    assertFalse(onHeap.getRawInputContents(0).asReadOnlyByteBuffer().isDirect());
    assertEquals(DirectBufferPool.MAX_BYTES, onHeap.getRawInputContents(0).size());
  }

  @Test
  void aMessageHandedOverAsAnObjectIsLeftToGrpc() throws IOException {
    ModelInferRequest message = ModelInferRequest.parseFrom(MESSAGE);
    InputStream inProcess =
        ProtoUtils.marshaller(ModelInferRequest.getDefaultInstance()).stream(message);
    assertFalse(AliasingParsing.applies(inProcess));
  }

  @Test
  void streamsWithoutBuffersAreCopiedThroughScratch() throws IOException {
    InputStream stream = new KnownLengthStream(MESSAGE);
    ModelInferRequest request = AliasingParsing.parse(stream, ModelInferRequest.parser());
    assertEquals(ByteString.copyFrom(TENSOR), request.getRawInputContents(0));
  }

  @Test
  void smallOrUnsizedMessagesAreLeftToGrpc() throws IOException {
    byte[] small = ModelInferRequest.newBuilder().setModelName("simple").build().toByteArray();
    assertFalse(AliasingParsing.applies(inChunks(small, 4)));
    assertFalse(AliasingParsing.applies(new ByteArrayInputStream(MESSAGE)));
  }

  @Test
  void aCutMessageDoesNotParse() {
    byte[] cut = Arrays.copyOf(MESSAGE, MESSAGE.length - 10);
    assertThrows(InvalidProtocolBufferException.class,
        () -> AliasingParsing.parse(inChunks(cut, 8192), ModelInferRequest.parser()));
  }

  /** The message as grpc-java hands it to a marshaller: a stream over several transport buffers. */
  private static InputStream inChunks(byte[] bytes, int chunk) {
    CompositeReadableBuffer buffers = new CompositeReadableBuffer();
    for (int from = 0; from < bytes.length; from += chunk) {
      int to = Math.min(bytes.length, from + chunk);
      buffers.addBuffer(ReadableBuffers.wrap(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, to))));
    }
    return ReadableBuffers.openStream(buffers, true);
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(1).nextBytes(bytes);
    return bytes;
  }

  /** A sized stream that offers no buffers. */
  private static final class KnownLengthStream extends ByteArrayInputStream
      implements io.grpc.KnownLength {
    KnownLengthStream(byte[] bytes) {
      super(bytes);
    }
  }
}

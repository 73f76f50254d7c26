package dev.gantry.server.transport;

import dev.gantry.proto.ModelInferRequest;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.memory.DirectBufferPool;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes a request that is not a valid protobuf message the caller's fault. grpc-java answers such
 * bytes with UNKNOWN ("Application error processing RPC"), which reads like a server bug and
 * which a stream sees as a reset; here the call ends with INVALID_ARGUMENT naming the message
 * type. A stream that sends such bytes after good requests ends the same way, and its queued
 * requests are withdrawn as if the client had cancelled.
 *
 * <p>How: each method's request parser reports a failure as a null message instead of throwing,
 * and the method's handler closes the call when it sees one. Names, schemas (for reflection) and
 * handlers are otherwise unchanged.
 *
 * <p>The parser is also where a large message is read with a single copy ({@link
 * AliasingParsing}); an inference request goes into memory lent by the pool, which its call
 * holds for the handler to take over ({@link RequestMemory}).
 */
public final class RequestParsing {
  private RequestParsing() {}

  /**
   * The service with every method's request parsing made strict.
   *
   * @param memory lends the memory large inference requests are parsed into
   */
  public static ServerServiceDefinition strict(
      ServerServiceDefinition service, DirectBufferPool memory) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      methods.add(strict(method, memory));
    }
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
    ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(strict::addMethod);
    return strict.build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> strict(
      ServerMethodDefinition<Q, R> method, DirectBufferPool memory) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    MethodDescriptor.Marshaller<Q> requests = descriptor.getRequestMarshaller();
    String type = requests instanceof MethodDescriptor.ReflectableMarshaller<?> reflectable
        ? reflectable.getMessageClass().getSimpleName()
        : "request";
    MethodDescriptor<Q, R> strict = descriptor
        .toBuilder(new NullOnFailure<>(requests, memory), descriptor.getResponseMarshaller())
        .build();
    ServerCallHandler<Q, R> handler = method.getServerCallHandler();
    return ServerMethodDefinition.create(strict,
        (call, headers) -> new Guard<>(handler.startCall(call, headers), call, type));
  }

  /**
   * Parses with the method's own marshaller, or a large protobuf message with {@link
   * AliasingParsing}: an inference request into lent memory, any other into the heap. A message
   * that does not parse becomes null.
   */
  private static final class NullOnFailure<T> implements MethodDescriptor.PrototypeMarshaller<T> {
    private final MethodDescriptor.Marshaller<T> delegate;
    private final DirectBufferPool memory;

    NullOnFailure(MethodDescriptor.Marshaller<T> delegate, DirectBufferPool memory) {
      this.delegate = delegate;
      this.memory = memory;
    }

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public T parse(InputStream stream) {
      try {
        if (getMessagePrototype() instanceof MessageLite prototype && AliasingParsing.applies(stream)) {
          @SuppressWarnings("unchecked")
          Parser<T> parser = (Parser<T>) prototype.getParserForType();
          if (prototype instanceof ModelInferRequest
              && stream.available() <= DirectBufferPool.MAX_BYTES) {
            Optional<AliasingParsing.Lent<T>> lent =
                AliasingParsing.parseLent(stream, parser, memory);
            if (lent.isPresent()) {
              RequestMemory.parsed(lent.get());
              return lent.get().message();
            }
          }
          return AliasingParsing.parse(stream, parser);
        }
        return delegate.parse(stream);
      } catch (StatusRuntimeException | IOException e) {
        return null;
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<T> getMessageClass() {
      return delegate instanceof MethodDescriptor.ReflectableMarshaller<?> reflectable
          ? (Class<T>) reflectable.getMessageClass()
          : null;
    }

    @Override
    public T getMessagePrototype() {
      return delegate instanceof MethodDescriptor.PrototypeMarshaller<T> prototype
          ? prototype.getMessagePrototype()
          : null;
    }
  }

  /**
   * Closes the call on a message that did not parse. The handler is told the call was cancelled,
   * so that it withdraws what it queued, and hears nothing more from the client. Every event
   * reaches the handler with the call's {@link RequestMemory} current.
   */
  private static final class Guard<Q, R> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, R> call;
    private final String type;
    private final RequestMemory memory = new RequestMemory();
    private boolean rejected;

    Guard(ServerCall.Listener<Q> handler, ServerCall<Q, R> call, String type) {
      super(handler);
      this.call = call;
      this.type = type;
    }

    @Override
    public void onMessage(Q message) {
      if (rejected) {
        memory.arrived(message);
        memory.giveBackUntaken();
        return;
      }
      if (message == null) {
        rejected = true;
        call.close(StatusMapper.toStatus(new InvalidArgumentException(
            "the request is not a valid " + type + " message: its bytes do not parse as "
                + "protobuf")), new Metadata());
        memory.during(super::onCancel);
        memory.giveBackUntaken();
        return;
      }
      memory.arrived(message);
      memory.during(() -> super.onMessage(message));
    }

    @Override
    public void onHalfClose() {
      if (!rejected) {
        memory.during(super::onHalfClose);
        memory.giveBackUntaken();
      }
    }

    @Override
    public void onCancel() {
      if (!rejected) {
        memory.during(super::onCancel);
        memory.giveBackUntaken();
      }
    }

    @Override
    public void onComplete() {
      memory.during(super::onComplete);
      memory.giveBackUntaken();
    }

    @Override
    public void onReady() {
      if (!rejected) {
        memory.during(super::onReady);
      }
    }
  }
}

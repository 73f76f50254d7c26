package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Stream errors keep their status code when the server writes it in front of the message. */
class StreamErrorCodeTest {
  @Test
  void readsTheCodeInFrontOfTheMessage() {
    assertEquals(Status.Code.INVALID_ARGUMENT,
        InferStream.codeOf("INVALID_ARGUMENT: input 'x': dimension 1 is 15"));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED,
        InferStream.codeOf("RESOURCE_EXHAUSTED: queue is full"));
  }

  @Test
  void otherMessagesAreUnknown() {
    assertEquals(Status.Code.UNKNOWN, InferStream.codeOf("something failed: badly"));
    assertEquals(Status.Code.UNKNOWN, InferStream.codeOf("no colon"));
  }
}

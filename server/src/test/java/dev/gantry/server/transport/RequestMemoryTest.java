package dev.gantry.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gantry.server.memory.DirectBufferPool;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** How a lent message's memory reaches the handler, and when it goes back untaken. */
class RequestMemoryTest {
  private static final int SIZE = 100_000;
  private static final long CLASS_BYTES = 128 * 1024;
  private final DirectBufferPool pool = new DirectBufferPool();

  private DirectBufferPool.Loan parsed(Object message) {
    DirectBufferPool.Loan loan = pool.lend(SIZE).orElseThrow();
    RequestMemory.parsed(new AliasingParsing.Lent<>(message, loan));
    return loan;
  }

  @Test
  void theHandlerOfTheCallsEventTakesTheLoanOfTheMessageItCarries() {
    RequestMemory call = new RequestMemory();
    Object message = new Object();
    DirectBufferPool.Loan loan = parsed(message);
    call.arrived(message);
    AtomicReference<DirectBufferPool.Loan> taken = new AtomicReference<>();
    call.during(() -> taken.set(RequestMemory.take(message)));
    assertSame(loan, taken.get());
    call.giveBackUntaken();
    assertEquals(0, pool.retainedBytes(), "taken over: the handler gives it back, not the call");
    assertNull(RequestMemory.take(message), "outside the call's events there is no current call");
  }

  @Test
  void aLoanNobodyTookGoesBackWhenTheCallIsDoneWithTheMessage() {
    RequestMemory call = new RequestMemory();
    Object first = new Object();
    parsed(first);
    call.arrived(first);
    call.during(() -> {});
    Object second = new Object();
    parsed(second);
    call.arrived(second);
    assertEquals(CLASS_BYTES, pool.retainedBytes(), "the first message's loan, at the next one");
    call.giveBackUntaken();
    assertEquals(2 * CLASS_BYTES, pool.retainedBytes());
  }

  @Test
  void aLoanOfAnotherMessageIsNeverReusedSinceItsMessageMayStillBeRead() {
    RequestMemory call = new RequestMemory();
    parsed(new Object());
    Object delivered = new Object();
    call.arrived(delivered);
    call.during(() -> assertNull(RequestMemory.take(delivered)));
    call.giveBackUntaken();
    assertEquals(0, pool.retainedBytes());
  }

  @Test
  void aHandlerAskingForAnotherMessagesMemoryGetsNone() {
    RequestMemory call = new RequestMemory();
    Object message = new Object();
    parsed(message);
    call.arrived(message);
    call.during(() -> assertNull(RequestMemory.take(new Object())));
    call.giveBackUntaken();
    assertEquals(CLASS_BYTES, pool.retainedBytes(), "still the call's, given back untaken");
  }

  @Test
  void aNestedCallsEventLeavesTheOuterCallCurrentAfterwards() {
    RequestMemory outer = new RequestMemory();
    RequestMemory inner = new RequestMemory();
    Object message = new Object();
    DirectBufferPool.Loan loan = parsed(message);
    outer.arrived(message);
    AtomicReference<DirectBufferPool.Loan> taken = new AtomicReference<>();
    outer.during(() -> {
      inner.during(() -> assertNull(RequestMemory.take(message)));
      taken.set(RequestMemory.take(message));
    });
    assertSame(loan, taken.get());
  }
}

package dev.gantry.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.server.error.CancelledException;
import dev.gantry.server.error.DeadlineExceededException;
import dev.gantry.server.error.FailedPreconditionException;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.NotFoundException;
import dev.gantry.server.error.PermissionDeniedException;
import dev.gantry.server.error.ResourceExhaustedException;
import dev.gantry.server.error.UnauthenticatedException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.error.UnimplementedException;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusMapperTest {
  @Test
  void everyErrorBecomesTheStatusOfItsNameWithItsMessage() {
    List<GantryException> errors =
        List.of(
            new InvalidArgumentException("m"),
            new NotFoundException("m"),
            new UnavailableException("m"),
            new ResourceExhaustedException("m"),
            new DeadlineExceededException("m"),
            new CancelledException("m"),
            new UnimplementedException("m"),
            new FailedPreconditionException("m"),
            new InternalException("m"),
            new UnauthenticatedException("m"),
            new PermissionDeniedException("m"));
    for (GantryException error : errors) {
      Status status = StatusMapper.toStatus(error);
      assertEquals(error.code().name(), status.getCode().name(), error.getClass().getSimpleName());
      assertEquals("m", status.getDescription());
    }
  }

  @Test
  void messagesLoseFileSystemPaths() {
    Status status =
        StatusMapper.toStatus(new InvalidArgumentException("cannot read /var/models/a/1/model.onnx"));
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
    assertEquals(false, status.getDescription().contains("/var/models"), status.getDescription());
  }

  @Test
  void anythingElseIsInternalWithoutItsMessage() {
    Status status = StatusMapper.toStatus(new IllegalStateException("secret detail"));
    assertEquals(Status.Code.INTERNAL, status.getCode());
    assertEquals("internal error: IllegalStateException", status.getDescription());
  }
}

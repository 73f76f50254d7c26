package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.transport.ConnectionLimits;
import io.grpc.ConnectivityState;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits on client connections, end to end with raw sockets speaking as much HTTP/2 as a
 * misbehaving client would: connections that never complete their first request are closed at
 * the deadline, connections above the cap are closed at once while open clients keep being
 * served, idle connections are ended, and clients that ping too often are sent away.
 */
class ConnectionLimitsTest {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADERS = 0x1;
  private static final int SETTINGS = 0x4;
  private static final int PING = 0x6;
  private static final int GOAWAY = 0x7;
  private static final int ENHANCE_YOUR_CALM = 0xb;

  @TempDir Path repository;

  private RunningServer start(ConnectionLimits limits) throws IOException {
    ExampleRepository.write(repository);
    return new RunningServer(
        ServerOptions.forRepositories(repository).withConnectionLimits(limits));
  }

  private static ConnectionLimits limits(int max, Duration firstRequest, Duration idle) {
    return new ConnectionLimits(max, firstRequest, idle, Duration.ofMinutes(5), false,
        ConnectionLimits.DEFAULT_MAX_CONCURRENT_STREAMS);
  }

  private static void infer(RunningServer gantry) {
    ModelInferResponse response = gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 3f, 1f));
    assertEquals(2, response.getOutputsCount());
  }

  @Test
  void connectionsThatNeverCompleteAFirstRequestAreClosedAtTheDeadline() throws Exception {
    try (RunningServer gantry = start(limits(64, Duration.ofSeconds(1), Duration.ofMinutes(5)))) {
      infer(gantry);
      List<Socket> sockets = new ArrayList<>();
      long opened = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        sockets.add(connect(gantry));
        Socket preface = connect(gantry);
        preface.getOutputStream().write(PREFACE);
        preface.getOutputStream().write(frame(SETTINGS, 0, 0, new byte[0]));
        sockets.add(preface);
        Socket halfHeaders = connect(gantry);
        halfHeaders.getOutputStream().write(PREFACE);
        halfHeaders.getOutputStream().write(frame(SETTINGS, 0, 0, new byte[0]));
        byte[] headers = frame(HEADERS, 0x4, 1, new byte[64]);
        halfHeaders.getOutputStream().write(headers, 0, 9 + 20);
        sockets.add(halfHeaders);
      }
      for (Socket socket : sockets) {
        assertTrue(readsToEnd(socket, Duration.ofSeconds(15)),
            "the server closed a connection without a request");
        socket.close();
      }
      long seconds = Duration.ofNanos(System.nanoTime() - opened).toSeconds();
      assertTrue(seconds < 10, "closed after " + seconds + " s, the deadline being 1 s");
      infer(gantry);
    }
  }

  @Test
  void connectionsAboveTheCapAreRefusedWhileOpenClientsAreServed() throws Exception {
    try (RunningServer gantry = start(limits(3, Duration.ofMinutes(1), Duration.ofMinutes(5)))) {
      infer(gantry);
      Socket second = connect(gantry);
      Socket third = connect(gantry);
      assertTrue(staysOpen(third), "the third connection is within the cap");
      Socket fourth = connect(gantry);
      assertTrue(readsToEnd(fourth, Duration.ofSeconds(10)), "the fourth connection is refused");
      fourth.close();
      infer(gantry);
      second.close();
      boolean accepted = false;
      for (int attempt = 0; attempt < 50 && !accepted; attempt++) {
        try (Socket again = connect(gantry)) {
          accepted = staysOpen(again);
        }
      }
      assertTrue(accepted, "a connection closing makes room for another");
      third.close();
      infer(gantry);
    }
  }

  @Test
  void idleConnectionsAreEnded() throws Exception {
    try (RunningServer gantry = start(limits(64, Duration.ofSeconds(5), Duration.ofSeconds(1)))) {
      infer(gantry);
      assertEquals(ConnectivityState.READY, gantry.channel.getState(false));
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (gantry.channel.getState(false) == ConnectivityState.READY
          && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertEquals(ConnectivityState.IDLE, gantry.channel.getState(false),
          "the server ends a connection idle for longer than the limit");
      infer(gantry);
    }
  }

  @Test
  void clientsThatPingTooOftenAreSentAway() throws Exception {
    try (RunningServer gantry = start(limits(64, Duration.ofMinutes(1), Duration.ofMinutes(5)));
        Socket socket = connect(gantry)) {
      OutputStream out = socket.getOutputStream();
      out.write(PREFACE);
      out.write(frame(SETTINGS, 0, 0, new byte[0]));
      for (int i = 0; i < 5; i++) {
        out.write(frame(PING, 0, 0, new byte[8]));
      }
      out.flush();
      socket.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int goAwayError = -1;
      for (int frames = 0; frames < 50 && goAwayError < 0; frames++) {
        int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        in.readInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == GOAWAY) {
          goAwayError = java.nio.ByteBuffer.wrap(payload, 4, 4).getInt();
        }
      }
      assertEquals(ENHANCE_YOUR_CALM, goAwayError, "GOAWAY with ENHANCE_YOUR_CALM");
      assertTrue(readsToEnd(socket, Duration.ofSeconds(10)), "then the connection is closed");
      infer(gantry);
    }
  }

  private static Socket connect(RunningServer gantry) throws IOException {
    return new Socket("127.0.0.1", gantry.server.port());
  }

  /** An HTTP/2 frame: 24-bit length, type, flags, stream id, payload. */
  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(payload.length >>> 16);
    bytes.write(payload.length >>> 8);
    bytes.write(payload.length);
    bytes.write(type);
    bytes.write(flags);
    bytes.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(stream).array());
    bytes.writeBytes(payload);
    return bytes.toByteArray();
  }

  /** Whether the server closes the connection within {@code limit}, reading what it sends. */
  private static boolean readsToEnd(Socket socket, Duration limit) throws IOException {
    long until = System.nanoTime() + limit.toNanos();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    while (System.nanoTime() < until) {
      socket.setSoTimeout(250);
      try {
        if (in.read(buffer) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        continue;
      } catch (EOFException | java.net.SocketException e) {
        return true;
      }
    }
    return false;
  }

  /** Whether the server keeps the connection open for half a second. */
  private static boolean staysOpen(Socket socket) throws IOException {
    return !readsToEnd(socket, Duration.ofMillis(500));
  }
}

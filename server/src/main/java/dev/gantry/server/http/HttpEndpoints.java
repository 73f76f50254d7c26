package dev.gantry.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelRepositoryParameter;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.proto.ServerLiveRequest;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.proto.ServerReadyRequest;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.transport.StatusMapper;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The paths of the KServe v2 REST API and Triton's extensions to it, each answered by the gRPC
 * method it stands for, called on the server's in-process channel. The call goes through the same
 * interceptors (access tokens, call metrics), validation, scheduler and error messages as a call
 * on the gRPC port; this class only translates. Nothing here blocks: a call's answer arrives on
 * the callback, from whichever thread ends it.
 */
final class HttpEndpoints {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Withdraws a call whose caller went away. */
  interface Pending {
    void cancel();
  }

  private static final Pending DONE = () -> { };

  private final Channel channel;
  private final Executor loop;

  /**
   * @param channel the in-process channel the calls go on
   * @param loop the connection's event loop, where answers are rendered and handed back
   */
  HttpEndpoints(Channel channel, Executor loop) {
    this.channel = channel;
    this.loop = loop;
  }

  /**
   * Starts answering a request. The body is read before this returns, so the caller may release
   * the request.
   */
  Pending handle(FullHttpRequest request, Consumer<HttpAnswer> done) {
    try {
      return route(request, done);
    } catch (NumberFormatException | ArithmeticException e) {
      done.accept(HttpStatuses.answer(StatusMapper.toStatus(new InvalidArgumentException(
          "a number in the body is out of range or too long to read: " + e.getMessage()))));
    } catch (RuntimeException e) {
      done.accept(HttpStatuses.answer(StatusMapper.toStatus(e)));
    }
    return DONE;
  }

  private Pending route(FullHttpRequest request, Consumer<HttpAnswer> done) {
    String path = new QueryStringDecoder(request.uri()).rawPath();
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) {
        try {
          segments.add(QueryStringDecoder.decodeComponent(segment));
        } catch (IllegalArgumentException e) {
          throw new InvalidArgumentException("malformed path: " + e.getMessage());
        }
      }
    }
    Metadata headers = new Metadata();
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null) {
      headers.put(AUTHORIZATION, authorization);
    }
    HttpMethod method = request.method();
    int size = segments.size();
    if (size == 0 || !segments.get(0).equals("v2")) {
      return unknown(request, done);
    }
    if (size == 1) {
      return get(method, done, () -> call(GRPCInferenceServiceGrpc.getServerMetadataMethod(),
          ServerMetadataRequest.getDefaultInstance(), headers, done,
          response -> HttpAnswer.json(HttpResponseStatus.OK, ProtoJson.object(response))));
    }
    switch (segments.get(1)) {
      case "health" -> {
        if (size == 3 && segments.get(2).equals("live")) {
          return get(method, done, () -> call(GRPCInferenceServiceGrpc.getServerLiveMethod(),
              ServerLiveRequest.getDefaultInstance(), headers, done,
              response -> health(response.getLive())));
        }
        if (size == 3 && segments.get(2).equals("ready")) {
          return get(method, done, () -> call(GRPCInferenceServiceGrpc.getServerReadyMethod(),
              ServerReadyRequest.getDefaultInstance(), headers, done,
              response -> health(response.getReady())));
        }
      }
      case "logging" -> {
        if (size == 2) {
          return logging(request, headers, done);
        }
      }
      case "repository" -> {
        if (size == 3 && segments.get(2).equals("index")) {
          return post(method, done, () -> index(request, headers, done));
        }
        if (size == 5 && segments.get(2).equals("models")) {
          String model = segments.get(3);
          if (segments.get(4).equals("load")) {
            return post(method, done, () -> repositoryChange(
                GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod(),
                parameters -> RepositoryModelLoadRequest.newBuilder().setModelName(model)
                    .putAllParameters(parameters).build(),
                request, headers, done));
          }
          if (segments.get(4).equals("unload")) {
            return post(method, done, () -> repositoryChange(
                GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod(),
                parameters -> RepositoryModelUnloadRequest.newBuilder().setModelName(model)
                    .putAllParameters(parameters).build(),
                request, headers, done));
          }
        }
      }
      case "models" -> {
        if (size == 3 && segments.get(2).equals("stats")) {
          return get(method, done, () -> statistics("", "", headers, done));
        }
        if (size >= 3) {
          return model(segments, request, headers, done);
        }
      }
      default -> {
        return unknown(request, done);
      }
    }
    return unknown(request, done);
  }

  /** {@code /v2/models/{m}[/versions/{v}][/ready|infer|config|stats]}. */
  private Pending model(
      List<String> segments, FullHttpRequest request, Metadata headers,
      Consumer<HttpAnswer> done) {
    String model = segments.get(2);
    int next = 3;
    String version = "";
    if (segments.size() >= 5 && segments.get(3).equals("versions")) {
      version = segments.get(4);
      next = 5;
    }
    String v = version;
    HttpMethod method = request.method();
    if (segments.size() == next) {
      return get(method, done, () -> call(GRPCInferenceServiceGrpc.getModelMetadataMethod(),
          ModelMetadataRequest.newBuilder().setName(model).setVersion(v).build(), headers, done,
          response -> HttpAnswer.json(HttpResponseStatus.OK, ProtoJson.object(response))));
    }
    if (segments.size() != next + 1) {
      return unknown(request, done);
    }
    return switch (segments.get(next)) {
      case "ready" -> get(method, done, () -> call(GRPCInferenceServiceGrpc.getModelReadyMethod(),
          ModelReadyRequest.newBuilder().setName(model).setVersion(v).build(), headers, done,
          response -> HttpAnswer.empty(response.getReady()
              ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST)));
      case "config" -> get(method, done, () -> call(GRPCInferenceServiceGrpc.getModelConfigMethod(),
          ModelConfigRequest.newBuilder().setName(model).setVersion(v).build(), headers, done,
          response -> HttpAnswer.json(HttpResponseStatus.OK,
              ProtoJson.object(response.getConfig()))));
      case "stats" -> get(method, done, () -> statistics(model, v, headers, done));
      case "infer" -> post(method, done, () -> infer(model, v, request, headers, done));
      default -> unknown(request, done);
    };
  }

  private Pending infer(
      String model, String version, FullHttpRequest request, Metadata headers,
      Consumer<HttpAnswer> done) {
    ByteBuf body = request.content();
    int jsonLength = body.readableBytes();
    String declared = request.headers().get(HttpBody.HEADER_LENGTH);
    if (declared != null) {
      try {
        jsonLength = Integer.parseInt(declared.trim());
      } catch (NumberFormatException e) {
        jsonLength = -1;
      }
      if (jsonLength < 0 || jsonLength > body.readableBytes()) {
        throw new InvalidArgumentException(HttpBody.HEADER_LENGTH + " is '" + declared
            + "': expected the length of the JSON header, from 0 to the body's "
            + body.readableBytes() + " bytes");
      }
    }
    JsonObject header = InferJson.object(
        RequestBodies.parse(body.toString(body.readerIndex(), jsonLength, StandardCharsets.UTF_8)), "the body");
    ModelInferRequest message = InferJson.request(
        header, body.slice(body.readerIndex() + jsonLength, body.readableBytes() - jsonLength),
        model, version);
    return call(GRPCInferenceServiceGrpc.getModelInferMethod(), message, headers, done,
        response -> InferJson.response(response, header).answer());
  }

  private Pending statistics(
      String model, String version, Metadata headers, Consumer<HttpAnswer> done) {
    return call(GRPCInferenceServiceGrpc.getModelStatisticsMethod(),
        ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build(), headers,
        done, response -> HttpAnswer.json(HttpResponseStatus.OK, ProtoJson.object(response)));
  }

  private Pending index(FullHttpRequest request, Metadata headers, Consumer<HttpAnswer> done) {
    RepositoryIndexRequest.Builder index = RepositoryIndexRequest.newBuilder();
    JsonObject body = RequestBodies.optionalObject(request);
    if (body.has("ready")) {
      index.setReady(InferJson.bool(body.get("ready"), "ready"));
    }
    return call(GRPCInferenceServiceGrpc.getRepositoryIndexMethod(), index.build(), headers, done,
        response -> {
          JsonArray models = new JsonArray();
          response.getModelsList().forEach(entry -> models.add(ProtoJson.object(entry)));
          return HttpAnswer.json(HttpResponseStatus.OK, models);
        });
  }

  /** A load or unload: the body's parameters into the request, an empty 200 when it is done. */
  private <Q, R> Pending repositoryChange(
      MethodDescriptor<Q, R> method, Function<Map<String, ModelRepositoryParameter>, Q> message,
      FullHttpRequest request, Metadata headers, Consumer<HttpAnswer> done) {
    return call(method, message.apply(RequestBodies.repositoryParameters(RequestBodies.optionalObject(request))), headers,
        done, response -> HttpAnswer.empty(HttpResponseStatus.OK));
  }

  private Pending logging(FullHttpRequest request, Metadata headers, Consumer<HttpAnswer> done) {
    LogSettingsRequest.Builder settings = LogSettingsRequest.newBuilder();
    if (request.method().equals(HttpMethod.POST)) {
      for (Map.Entry<String, JsonElement> setting : RequestBodies.optionalObject(request).entrySet()) {
        settings.putSettings(setting.getKey(), RequestBodies.logSetting(setting.getKey(), setting.getValue()));
      }
    } else if (!request.method().equals(HttpMethod.GET)) {
      return notAllowed(request.method(), "GET, POST", done);
    }
    return call(GRPCInferenceServiceGrpc.getLogSettingsMethod(), settings.build(), headers, done,
        response -> {
          JsonObject json = new JsonObject();
          response.getSettingsMap().forEach((name, value) -> json.add(name, ProtoJson.value(value)));
          return HttpAnswer.json(HttpResponseStatus.OK, json);
        });
  }

  private static HttpAnswer health(boolean up) {
    return HttpAnswer.empty(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE);
  }

  private <Q, R> Pending call(
      MethodDescriptor<Q, R> method, Q request, Metadata headers, Consumer<HttpAnswer> done,
      Function<R, HttpAnswer> render) {
    ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      private R response;

      @Override
      public void onMessage(R message) {
        response = message;
      }

      /** Renders on the event loop, never on the model's thread that ended the call. */
      @Override
      public void onClose(Status status, Metadata trailers) {
        R message = response;
        loop.execute(() -> done.accept(status.isOk()
            ? rendered(render, message) : HttpStatuses.answer(status)));
      }
    }, headers);
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    return () -> call.cancel("the HTTP client closed its connection", null);
  }

  private static <R> HttpAnswer rendered(Function<R, HttpAnswer> render, R response) {
    try {
      return render.apply(response);
    } catch (RuntimeException e) {
      return HttpStatuses.answer(StatusMapper.toStatus(e));
    }
  }

  private interface Start {
    Pending start();
  }

  private static Pending get(HttpMethod method, Consumer<HttpAnswer> done, Start start) {
    return only(HttpMethod.GET, method, done, start);
  }

  private static Pending post(HttpMethod method, Consumer<HttpAnswer> done, Start start) {
    return only(HttpMethod.POST, method, done, start);
  }

  private static Pending only(
      HttpMethod allowed, HttpMethod method, Consumer<HttpAnswer> done, Start start) {
    return method.equals(allowed) ? start.start() : notAllowed(method, allowed.name(), done);
  }

  private static Pending notAllowed(HttpMethod method, String allowed, Consumer<HttpAnswer> done) {
    HttpAnswer answer = HttpAnswer.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
        "this endpoint answers " + allowed + ", not " + method);
    answer.headers().set(HttpHeaderNames.ALLOW, allowed);
    done.accept(answer);
    return DONE;
  }

  private static Pending unknown(FullHttpRequest request, Consumer<HttpAnswer> done) {
    String path = new QueryStringDecoder(request.uri()).rawPath();
    done.accept(HttpAnswer.error(HttpResponseStatus.NOT_FOUND,
        "no endpoint " + request.method() + " " + (path.length() > 100
            ? path.substring(0, 100) + "..." : path)));
    return DONE;
  }
}

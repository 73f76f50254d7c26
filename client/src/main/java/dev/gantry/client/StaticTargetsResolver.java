package dev.gantry.client;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a fixed list of {@code host:port} targets into one address group per target.
 *
 * <p>gRPC resolves one name per channel; a client given several servers needs them all as addresses
 * of one channel so that its load balancer spreads calls over them. Each group carries its own
 * authority so that TLS checks every server against its own name. Host names are looked up off the
 * channel's synchronization context, again whenever the channel asks for a refresh.
 */
final class StaticTargetsResolver extends NameResolver {
  private final List<Target> targets;
  private final Args args;
  private Listener2 listener;
  private boolean resolving;
  private boolean shutdown;

  StaticTargetsResolver(List<Target> targets, Args args) {
    this.targets = List.copyOf(targets);
    this.args = args;
  }

  @Override
  public String getServiceAuthority() {
    return targets.get(0).authority();
  }

  @Override
  public void start(Listener2 listener) {
    this.listener = listener;
    resolve();
  }

  @Override
  public void refresh() {
    resolve();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  private void resolve() {
    if (resolving || shutdown) {
      return;
    }
    resolving = true;
    args.getOffloadExecutor()
        .execute(
            () -> {
              StatusOr<List<EquivalentAddressGroup>> addresses = lookUp();
              args.getSynchronizationContext().execute(() -> deliver(addresses));
            });
  }

  private void deliver(StatusOr<List<EquivalentAddressGroup>> addresses) {
    resolving = false;
    if (!shutdown) {
      listener.onResult2(ResolutionResult.newBuilder().setAddressesOrError(addresses).build());
    }
  }

  private StatusOr<List<EquivalentAddressGroup>> lookUp() {
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    List<String> unresolved = new ArrayList<>();
    for (Target target : targets) {
      try {
        groups.add(group(target));
      } catch (UnknownHostException e) {
        unresolved.add(target.authority());
      }
    }
    if (groups.isEmpty()) {
      return StatusOr.fromStatus(
          Status.UNAVAILABLE.withDescription("cannot resolve any of " + unresolved));
    }
    return StatusOr.fromValue(groups);
  }

  private static EquivalentAddressGroup group(Target target) throws UnknownHostException {
    List<SocketAddress> addresses = new ArrayList<>();
    for (InetAddress address : InetAddress.getAllByName(target.host())) {
      addresses.add(new InetSocketAddress(address, target.port()));
    }
    Attributes attributes =
        Attributes.newBuilder()
            .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, target.authority())
            .build();
    return new EquivalentAddressGroup(addresses, attributes);
  }
}

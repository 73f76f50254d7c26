package dev.gantry.client;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Plugs {@link StaticTargetsResolver} into a channel of its own.
 *
 * <p>Registered only in a channel-private registry, never globally, so other channels in the same
 * application are not affected by it.
 */
final class StaticTargetsResolverProvider extends NameResolverProvider {
  static final String SCHEME = "targets";

  private final List<Target> targets;

  StaticTargetsResolverProvider(List<Target> targets) {
    this.targets = List.copyOf(targets);
  }

  /** The channel target this provider resolves. */
  String channelTarget() {
    StringJoiner authorities = new StringJoiner(",", "/", "");
    targets.forEach(target -> authorities.add(target.authority()));
    try {
      return new URI(SCHEME, "", authorities.toString(), null, null).toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("targets do not form a URI: " + authorities, e);
    }
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    return SCHEME.equals(targetUri.getScheme()) ? new StaticTargetsResolver(targets, args) : null;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return Set.of(InetSocketAddress.class);
  }
}

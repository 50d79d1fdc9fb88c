package org.liaison.server.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication of connections to the embedded store. The store speaks the MongoDB wire protocol
 * on a loopback port (the driver has no in-process transport), and mongo-java-server has no
 * authentication, so any local process could read password verifiers or make itself admin. Each
 * embedded store therefore draws a random 256-bit secret that lives only in this process's memory;
 * a connection must open with those bytes before anything reaches the store, else it is closed.
 *
 * <p>The secrets are kept here by the store's address because the driver creates its channels
 * reflectively: {@link PresentingChannel} looks its secret up when it writes its first bytes. A
 * second node in the same process (tests of several nodes on one store) finds it the same way.
 */
final class ConnectionSecrets {
  static final int LENGTH = 32;
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionSecrets.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<InetSocketAddress, byte[]> BY_ADDRESS = new ConcurrentHashMap<>();
  private static final long PRESENT_WITHIN_SECONDS = 10;

  private ConnectionSecrets() {}

  static byte[] newSecret() {
    byte[] secret = new byte[LENGTH];
    RANDOM.nextBytes(secret);
    return secret;
  }

  static void register(InetSocketAddress address, byte[] secret) {
    BY_ADDRESS.put(address, secret);
  }

  static void forget(InetSocketAddress address) {
    BY_ADDRESS.remove(address);
  }

  /** True when {@code host:port} is an embedded store opened in this process. */
  static boolean isEmbeddedInThisProcess(String host, int port) {
    return secretFor(new InetSocketAddress(host, port)).isPresent();
  }

  private static Optional<byte[]> secretFor(SocketAddress address) {
    if (!(address instanceof InetSocketAddress inet)) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        BY_ADDRESS.get(new InetSocketAddress(inet.getAddress(), inet.getPort())));
  }

  /** The driver's channel to an embedded store: it sends the store's secret before anything. */
  public static final class PresentingChannel extends NioSocketChannel {
    public PresentingChannel() {
      pipeline().addFirst("liaison-store-secret", new Presenter());
    }
  }

  private static final class Presenter extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      Optional<byte[]> secret = secretFor(ctx.channel().remoteAddress());
      if (secret.isPresent()) {
        ctx.write(Unpooled.wrappedBuffer(secret.get()));
      }
      ctx.write(msg, promise);
      ctx.pipeline().remove(this);
    }
  }

  /**
   * The store's first handler: passes the connection on once it presented the secret, closes it on
   * wrong bytes or when none came in time.
   */
  static final class Gate extends ByteToMessageDecoder {
    private final byte[] secret;

    Gate(byte[] secret) {
      this.secret = secret;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ctx.executor()
          .schedule(
              () -> {
                if (ctx.pipeline().context(this) != null) {
                  refuse(ctx, "presented no secret in time");
                }
              },
              PRESENT_WITHIN_SECONDS,
              TimeUnit.SECONDS);
      super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < LENGTH) {
        return;
      }
      byte[] presented = new byte[LENGTH];
      in.readBytes(presented);
      if (MessageDigest.isEqual(presented, secret)) {
        // Whatever followed the secret is handed to the wire decoder as the handler leaves.
        ctx.pipeline().remove(this);
      } else {
        in.skipBytes(in.readableBytes());
        refuse(ctx, "presented a wrong secret");
      }
    }

    private static void refuse(ChannelHandlerContext ctx, String why) {
      LOG.warn(
          "embedded store refused a connection from {}: {}", ctx.channel().remoteAddress(), why);
      ctx.close();
    }
  }
}

package org.liaison.server.store;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.wire.MongoDatabaseHandler;
import de.bwaldvogel.mongo.wire.MongoExceptionHandler;
import de.bwaldvogel.mongo.wire.MongoWireMessageEncoder;
import de.bwaldvogel.mongo.wire.MongoWireProtocolHandler;
import de.bwaldvogel.mongo.wire.MongoWireReplyEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;

/**
 * The embedded MongoDB-wire-compatible store: mongo-java-server's wire handlers over a durable H2
 * file, served on a loopback port that only this process can use (see {@link ConnectionSecrets}).
 * The file is readable by the owner only: it holds password verifiers and the audit log.
 */
final class EmbeddedStore implements AutoCloseable {
  private static final String LOOPBACK = "127.0.0.1";
  private static final int WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);

  private final H2Backend backend;
  private final GroupCommit commits;
  private final EventLoopGroup acceptors;
  private final EventLoopGroup workers;
  private final ChannelGroup connections;
  private final Channel listener;
  private final InetSocketAddress address;

  private EmbeddedStore(
      H2Backend backend,
      GroupCommit commits,
      EventLoopGroup acceptors,
      EventLoopGroup workers,
      ChannelGroup connections,
      Channel listener) {
    this.backend = backend;
    this.commits = commits;
    this.acceptors = acceptors;
    this.workers = workers;
    this.connections = connections;
    this.listener = listener;
    this.address = (InetSocketAddress) listener.localAddress();
  }

  /** Opens (or creates) the file and starts serving; blocking, so callers run it on a worker. */
  static EmbeddedStore open(Path file) throws IOException {
    ownerOnly(file);
    // H2's background writer stays on: besides its own commits it reclaims old chunks, without
    // which the file grew ninefold under load. It keeps replaced chunks 45 s in case the disk has
    // not flushed them; GroupCommit syncs every commit itself, so a second is enough.
    MVStore mvStore = new MVStore.Builder().fileName(file.toString()).open();
    mvStore.setRetentionTime(1000);
    H2Backend backend = new H2Backend(mvStore);
    GroupCommit commits = new GroupCommit(mvStore);
    byte[] secret = ConnectionSecrets.newSecret();
    EventLoopGroup acceptors =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("liaison-store-accept", true), NioIoHandler.newFactory());
    // Handlers run store operations on these threads (replies wait for GroupCommit, not here).
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(
            WORKERS, new DefaultThreadFactory("liaison-store", true), NioIoHandler.newFactory());
    ChannelGroup connections = new DefaultChannelGroup("liaison-store", workers.next());
    try {
      Channel listener =
          new ServerBootstrap()
              .group(acceptors, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 100)
              .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new ConnectionSecrets.Gate(secret))
                          .addLast(new MongoWireReplyEncoder())
                          .addLast(new MongoWireMessageEncoder())
                          .addLast(new MongoWireProtocolHandler())
                          .addLast(new DurableReplies(commits))
                          .addLast(new MongoDatabaseHandler(backend, connections))
                          .addLast(new MongoExceptionHandler());
                    }
                  })
              .bind(LOOPBACK, 0)
              .syncUninterruptibly()
              .channel();
      EmbeddedStore store =
          new EmbeddedStore(backend, commits, acceptors, workers, connections, listener);
      ConnectionSecrets.register(store.address, secret);
      return store;
    } catch (RuntimeException e) {
      commits.close();
      acceptors.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      backend.close();
      throw e;
    }
  }

  /** Creates the file empty with mode 0600 first, so it is never readable by others. */
  private static void ownerOnly(Path file) throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  String uri() {
    return "mongodb://" + LOOPBACK + ":" + address.getPort();
  }

  int port() {
    return address.getPort();
  }

  /** Stops serving, closes connections, then commits and closes the file. */
  @Override
  public void close() {
    ConnectionSecrets.forget(address);
    listener.close().syncUninterruptibly();
    connections.close().syncUninterruptibly();
    // Before the workers stop: the last commit hands its replies back to their threads.
    commits.close();
    acceptors.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    backend.close();
  }
}

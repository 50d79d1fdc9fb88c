package org.liaison.server.store;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * The store's outbound handler just below the command handler: every reply waits for {@link
 * GroupCommit} before it is written, so the driver sees a write acknowledged only once it is on
 * disk. Replies on one connection keep their order (the driver sends the next command only after
 * the reply), and each is written back on the connection's own thread.
 */
final class DurableReplies extends ChannelOutboundHandlerAdapter {
  private final GroupCommit commits;

  DurableReplies(GroupCommit commits) {
    this.commits = commits;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    commits.whenDurable(
        () -> {
          if (ctx.executor().inEventLoop()) {
            ctx.writeAndFlush(msg, promise);
          } else {
            ctx.executor().execute(() -> ctx.writeAndFlush(msg, promise));
          }
        });
  }

  /** Each reply is flushed when it is released; an earlier flush has nothing to send. */
  @Override
  public void flush(ChannelHandlerContext ctx) {}
}

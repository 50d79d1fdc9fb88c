package org.liaison.client.cli;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.ChannelEvent;
import org.liaison.client.channels.ChannelInfo;
import org.liaison.client.channels.ChannelMessage;
import org.liaison.client.channels.DeviceKeys;
import org.liaison.client.channels.LiaisonDevice;
import org.liaison.client.channels.UntrustedServerException;
import org.liaison.client.documents.Documents;
import org.liaison.crypto.mls.MlsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chat}: the stored device as a long-running participant that a program drives over JSON
 * lines (the browser end-to-end tests use it as the Java peer of a browser). One process keeps its
 * MLS state for as long as it runs, so a channel it is added to while running is joined from its
 * Welcome and never needs an external commit.
 */
@Command(
    name = "chat",
    description = {
      "Runs this device as a long-running participant driven by a program (test harnesses, bots),"
          + " speaking JSON lines.",
      "It uploads fresh key packages, connects, follows all its channels and joins the ones it is"
          + " added to from their Welcome while it runs; start it before someone adds you.",
      "stdout, one object per line: {\"event\":\"ready\",userId,deviceId} once, then"
          + " \"message\" {channelId,seq,senderUserId,senderName,senderDeviceId,text,sentAt},"
          + " \"joined\""
          + " {channelId}, \"channel\" {channelId,reason}, \"network\" {reason,trusted,detail}"
          + " (reason root-key or attestations-revoked; trusted false: the server names another"
          + " network root, refused), \"sent\" {channelId,seq,clientMessageId} and \"error\""
          + " {code,message}.",
      "stdin, one object per line: {\"op\":\"send\",channelId,text,clientMessageId?},"
          + " {\"op\":\"doc-list\",channelId} (answers \"documents\" {channelId,documents:"
          + "[{id,title}]}), {\"op\":\"doc-show\",channelId,documentId} (answers \"document\""
          + " {channelId,documentId,title,lastSeq,content}), {\"op\":\"doc-set\",channelId,"
          + "documentId,path,value} (path as in `doc set`, e.g. activities/<id>/status; answers"
          + " \"document-saved\" {channelId,documentId,path,seq}) or {\"op\":\"quit\"}; end of"
          + " input also quits (exit 0).",
      "Documents are edited here with this run's MLS state, so no rejoin is needed (a rejoin by"
          + " external commit would strand browser members)."
    })
final class ChatCommand extends ChannelCommands.AsDevice {
  private static final long RECONNECT_CHECK_MS = 2_000;
  private static final long DRAIN_SECONDS = 30;

  @Option(
      names = "--no-rejoin",
      description = {
        "Do not rejoin, by external commit, channels this device was in before this run (the web"
            + " client cannot process external commits yet); follow only channels joined from a"
            + " Welcome while running, and refuse to send elsewhere."
      })
  boolean noRejoin;

  private Lines lines;
  private Documents documents;
  // Read before connecting: message events name their sender as the directory shows them then.
  private volatile Directory directory;

  /** Channels this run holds state for (to catch up after a reconnect; --no-rejoin sends). */
  private final Set<String> followed = ConcurrentHashMap.newKeySet();

  private final Queue<Future<?>> inFlight = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean quitting = new AtomicBoolean();
  private final AtomicBoolean reconnecting = new AtomicBoolean();
  private final AtomicBoolean outage = new AtomicBoolean();

  @Override
  LiaisonDevice.Options options() {
    return LiaisonDevice.Options.defaults().withFollowAll(!noRejoin);
  }

  @Override
  public Integer call() {
    lines = new Lines(out());
    try {
      if (!Files.exists(cli.deviceFile)) {
        return fatal(
            "no-device", "no device registered in " + cli.deviceFile + "; run: device register");
      }
      return super.call();
    } catch (Exception e) {
      Throwable cause = unwrap(e);
      return fatal(code(cause), message(cause));
    }
  }

  @Override
  int run(LiaisonClient client, LiaisonDevice device) throws Exception {
    DeviceKeys keys = device.keys().orElseThrow();
    if (keys.chain().isEmpty()) {
      return fatal(
          "not-attested",
          "this device has no attestation yet; ask your city coordinator to attest it");
    }
    documents = new Documents(device, DocumentCommands.store(cli));
    directory = Directory.read(client);
    device.onMessage(this::message).onEvent(this::event);
    LiaisonCli.await(device.connect());
    for (ChannelInfo channel : LiaisonCli.await(device.channels())) {
      if (channel.joined()) {
        followed.add(channel.id());
      }
    }
    lines.ready(
        new JsonObject()
            .put("event", "ready")
            .put("userId", keys.userId())
            .put("deviceId", keys.deviceId()));
    long watch = client.vertx().setPeriodic(RECONNECT_CHECK_MS, id -> reconnectIfDown(device));
    try {
      readCommands(device);
    } finally {
      quitting.set(true);
      client.vertx().cancelTimer(watch);
    }
    drain();
    LiaisonCli.await(device.disconnect());
    return 0;
  }

  // ---- stdin --------------------------------------------------------------------------------

  private void readCommands(LiaisonDevice device) throws Exception {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(cli.in, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject command;
      try {
        command = new JsonObject(line);
      } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
        lines.error("malformed-input", "each input line must be one JSON object", null);
        continue;
      }
      Object op = command.getValue("op");
      if ("quit".equals(op)) {
        return;
      }
      if ("send".equals(op)) {
        send(device, command);
      } else if ("doc-list".equals(op)) {
        documentList(command);
      } else if ("doc-show".equals(op) || "doc-set".equals(op)) {
        document(command, "doc-set".equals(op));
      } else {
        lines.error(
            "unknown-op",
            "op must be \"send\", \"doc-list\", \"doc-show\", \"doc-set\" or \"quit\"",
            null);
      }
    }
  }

  private void send(LiaisonDevice device, JsonObject command) {
    JsonObject context = new JsonObject();
    try {
      String channelId = string(command, "channelId", true);
      String text = string(command, "text", true);
      String clientMessageId = string(command, "clientMessageId", false);
      context.put("channelId", channelId);
      if (clientMessageId != null) {
        context.put("clientMessageId", clientMessageId);
      }
      if (!channelId.matches("[0-9a-f]{32}")) {
        throw new IllegalArgumentException("channelId: 32 lower-case hex characters");
      }
      if (noRejoin && !followed.contains(channelId)) {
        lines.error(
            "not-following",
            "this run holds no state for that channel (started with --no-rejoin)",
            context);
        return;
      }
      Future<LiaisonDevice.Sent> sent =
          clientMessageId == null
              ? device.send(channelId, text)
              : device.send(channelId, text, clientMessageId);
      inFlight.add(sent);
      sent.onComplete(
          r -> {
            inFlight.remove(sent);
            if (r.succeeded()) {
              lines.print(
                  new JsonObject()
                      .put("event", "sent")
                      .put("channelId", r.result().channelId())
                      .put("seq", r.result().seq())
                      .put("clientMessageId", r.result().clientMessageId()));
            } else {
              lines.error(code(r.cause()), message(r.cause()), context);
            }
          });
    } catch (IllegalArgumentException e) {
      lines.error("invalid-input", message(e), context);
    }
  }

  private void documentList(JsonObject command) {
    JsonObject context = new JsonObject();
    try {
      String channelId = string(command, "channelId", true);
      context.put("channelId", channelId);
      report(
          documents
              .list(channelId)
              .map(
                  found ->
                      new JsonObject()
                          .put("event", "documents")
                          .put(
                              "documents",
                              new io.vertx.core.json.JsonArray(
                                  found.stream()
                                      .map(
                                          d ->
                                              (Object)
                                                  new JsonObject()
                                                      .put("id", d.id())
                                                      .put("title", d.displayTitle()))
                                      .toList()))),
          context);
    } catch (IllegalArgumentException e) {
      lines.error("invalid-input", message(e), context);
    }
  }

  /** Prints the answer (with the request's context) or the error, once it is done. */
  private void report(Future<JsonObject> done, JsonObject context) {
    inFlight.add(done);
    done.onComplete(
        r -> {
          inFlight.remove(done);
          if (r.succeeded()) {
            lines.print(r.result().mergeIn(context));
          } else {
            lines.error(code(r.cause()), message(r.cause()), context);
          }
        });
  }

  /**
   * Opens the document fresh (snapshot and every update, verified), then shows it or sets one
   * field. Opening each time keeps this simple and always current; documents are small.
   */
  private void document(JsonObject command, boolean set) {
    JsonObject context = new JsonObject();
    try {
      String channelId = string(command, "channelId", true);
      String documentId = string(command, "documentId", true);
      context.put("channelId", channelId).put("documentId", documentId);
      String path = set ? string(command, "path", true) : null;
      Object value = set ? command.getValue("value") : null;
      if (set
          && !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        throw new IllegalArgumentException("value: a string, number or boolean is required");
      }
      Future<JsonObject> done =
          documents
              .open(channelId, documentId)
              .compose(
                  doc -> {
                    if (!set) {
                      JsonObject shown =
                          new JsonObject()
                              .put("event", "document")
                              .put("title", doc.header().title())
                              .put("lastSeq", doc.lastSeq())
                              .put("content", doc.json());
                      doc.close();
                      return Future.succeededFuture(shown);
                    }
                    Object typed = value instanceof Number n ? (Object) n.intValue() : value;
                    return documents
                        .set(doc, List.of(path.split("/")), typed)
                        .map(
                            seq ->
                                new JsonObject()
                                    .put("event", "document-saved")
                                    .put("path", path)
                                    .put("seq", seq))
                        .onComplete(r -> doc.close());
                  });
      report(done, context);
    } catch (IllegalArgumentException e) {
      lines.error("invalid-input", message(e), context);
    }
  }

  /** A string field; absent is null unless required; any other type is invalid. */
  private static String string(JsonObject command, String field, boolean required) {
    Object value = command.getValue(field);
    if (value == null && !required) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(field + ": a string is required");
    }
    return s;
  }

  /** Waits (bounded) for sends still in flight, so their "sent" lines come before the exit. */
  private void drain() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
    for (Future<?> f : new ArrayList<>(inFlight)) {
      try {
        f.toCompletionStage()
            .toCompletableFuture()
            .get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // reported (or abandoned) by its own handler
      }
    }
  }

  // ---- the device's side --------------------------------------------------------------------

  private void message(ChannelMessage m) {
    lines.print(
        new JsonObject()
            .put("event", "message")
            .put("channelId", m.channelId())
            .put("seq", m.seq())
            .put("senderUserId", m.senderUserId())
            .put("senderName", directory.name(m.senderUserId()))
            .put("senderDeviceId", m.senderDeviceId())
            .put("text", m.text())
            .put("sentAt", m.sentAt().toString()));
  }

  private void event(ChannelEvent e) {
    if (e instanceof ChannelEvent.Network n) {
      lines.print(
          new JsonObject()
              .put("event", "network")
              .put("reason", n.reason())
              .put("trusted", n.trusted())
              .put("detail", n.detail()));
      return;
    }
    if (e instanceof ChannelEvent.Joined) {
      followed.add(e.channelId());
      lines.print(new JsonObject().put("event", "joined").put("channelId", e.channelId()));
      return;
    }
    JsonObject line = new JsonObject().put("event", "channel").put("channelId", e.channelId());
    if (e instanceof ChannelEvent.Removed r) {
      followed.remove(e.channelId());
      line.put("reason", "removed").put("seq", r.seq());
    } else if (e instanceof ChannelEvent.MembersChanged c) {
      line.put("reason", "members-changed").put("seq", c.seq()).put("epoch", c.epoch());
    } else if (e instanceof ChannelEvent.HistoryUnavailable h) {
      line.put("reason", "history-unavailable")
          .put("fromSeq", h.fromSeq())
          .put("toSeq", h.toSeq())
          .put("detail", h.why().name().toLowerCase(Locale.ROOT));
    } else if (e instanceof ChannelEvent.Dropped d) {
      line.put("reason", "dropped").put("seq", d.seq()).put("detail", d.reason());
    } else if (e instanceof ChannelEvent.Refused r) {
      followed.remove(e.channelId());
      line.put("reason", "refused").put("seq", r.seq()).put("detail", r.reason());
    } else if (e instanceof ChannelEvent.Stranded s) {
      followed.remove(e.channelId());
      line.put("reason", "stranded").put("detail", s.reason());
    } else if (e instanceof ChannelEvent.Rebased r) {
      line.put("reason", "rebased").put("epoch", r.retryEpoch());
    } else {
      line.put("reason", e.getClass().getSimpleName().toLowerCase(Locale.ROOT));
    }
    lines.print(line);
  }

  /**
   * The device does not reconnect by itself: when its socket is gone, say so once, connect again
   * and read what was missed in the channels this run follows.
   */
  private void reconnectIfDown(LiaisonDevice device) {
    if (quitting.get() || device.connected() || !reconnecting.compareAndSet(false, true)) {
      return;
    }
    boolean first = !outage.getAndSet(true);
    if (first) {
      lines.error("disconnected", "the realtime connection closed; reconnecting", null);
    }
    device
        .connect()
        .onComplete(
            r -> {
              if (r.failed()) {
                if (first) {
                  // once per outage; the next checks keep trying quietly
                  lines.error(code(r.cause()), "reconnecting: " + message(r.cause()), null);
                }
                reconnecting.set(false);
                return;
              }
              outage.set(false);
              for (String id : followed) {
                device
                    .catchUp(id)
                    .onFailure(
                        e ->
                            lines.error(
                                code(e), message(e), new JsonObject().put("channelId", id)));
              }
              reconnecting.set(false);
            });
  }

  // ---- errors -------------------------------------------------------------------------------

  private int fatal(String code, String message) {
    lines.error(code, message, null);
    err().println("liaison chat: " + message + " (" + code + ")");
    err().flush();
    return 1;
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof ExecutionException
            || e instanceof java.util.concurrent.CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** A stable code for a failure: the server's own, else one named after what went wrong. */
  static String code(Throwable e) {
    e = unwrap(e);
    if (e instanceof LiaisonException le) {
      return le.code();
    }
    if (e instanceof UntrustedServerException) {
      return "untrusted-server";
    }
    if (e instanceof MlsException mls) {
      return "mls-" + mls.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    if (e instanceof IllegalArgumentException) {
      return "invalid-input";
    }
    if (e instanceof TimeoutException) {
      return "timeout";
    }
    if (e instanceof java.io.IOException || e instanceof io.vertx.core.VertxException) {
      return "connection-failed";
    }
    return "failed";
  }

  static String message(Throwable e) {
    e = unwrap(e);
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /**
   * stdout: one JSON object per line, flushed at once. Lines from before {@code ready} (Welcomes
   * waiting at connect, history reports) are held back and follow it, so {@code ready} comes first.
   */
  static final class Lines {
    private final PrintWriter out;
    private List<String> held = new ArrayList<>();

    Lines(PrintWriter out) {
      this.out = out;
    }

    synchronized void print(JsonObject line) {
      if (held != null) {
        held.add(line.encode());
        return;
      }
      out.println(line.encode());
      out.flush();
    }

    synchronized void ready(JsonObject line) {
      out.println(line.encode());
      release();
    }

    synchronized void error(String code, String message, JsonObject context) {
      JsonObject line = new JsonObject().put("event", "error").put("code", code);
      line.put("message", message);
      if (context != null) {
        line.mergeIn(context);
      }
      // an error before ready is fatal: what was held comes out first
      release();
      out.println(line.encode());
      out.flush();
    }

    private void release() {
      if (held != null) {
        held.forEach(out::println);
        held = null;
      }
      out.flush();
    }
  }
}

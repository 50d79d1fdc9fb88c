package org.liaison.client.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.client.channels.ChannelEvent;
import org.liaison.client.channels.LiaisonDevice;
import picocli.CommandLine.Command;

/**
 * A device that stays connected and speaks JSON lines: for bots, scripts and the browser end-to-end
 * tests. bcmls cannot save group state, so a device that must stay in channels with browsers (whose
 * ts-mls cannot process bcmls' external rejoin) has to be one long-running process: it is started
 * before it is added, joins from its Welcome, and keeps its keys in memory until it quits.
 */
@Command(
    name = "chat",
    description = {
      "Stay connected and exchange messages as JSON lines (for bots and scripts).",
      "stdout: {\"event\":\"ready\"|\"message\"|\"joined\"|\"channel\"|\"sent\"|\"error\",…}, one per"
          + " line. stdin: {\"op\":\"send\",\"channelId\",\"text\",\"clientMessageId\"?} or"
          + " {\"op\":\"quit\"}, one per line; end of input also quits.",
      "Channels joined in an earlier run are not readable (this run holds no keys for them); add"
          + " this device while it runs."
    })
final class ChatCommand extends ChannelCommands.AsDevice {

  @Override
  int run(LiaisonClient client, LiaisonDevice device) throws Exception {
    PrintWriter out = out();
    device.onMessage(
        m ->
            emit(
                out,
                new JsonObject()
                    .put("event", "message")
                    .put("channelId", m.channelId())
                    .put("seq", m.seq())
                    .put("senderUserId", m.senderUserId())
                    .put("senderDeviceId", m.senderDeviceId())
                    .put("text", m.text())
                    .put("sentAt", m.sentAt().toString())));
    device.onEvent(e -> emit(out, event(e)));
    LiaisonCli.await(device.connect());
    emit(
        out,
        new JsonObject()
            .put("event", "ready")
            .put("userId", device.keys().map(k -> k.userId()).orElse(null))
            .put("deviceId", device.keys().map(k -> k.deviceId()).orElse(null)));

    BufferedReader in =
        new BufferedReader(new InputStreamReader(cli.stdin, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject request;
      try {
        request = new JsonObject(line);
      } catch (DecodeException | ClassCastException e) {
        emit(out, error("malformed-line", "each line must be one JSON object"));
        continue;
      }
      String op = request.getValue("op") instanceof String s ? s : "";
      if (op.equals("quit")) {
        break;
      }
      if (!op.equals("send")) {
        emit(out, error("unknown-op", "op must be send or quit"));
        continue;
      }
      send(device, out, request);
    }
    return 0;
  }

  private static void send(LiaisonDevice device, PrintWriter out, JsonObject request) {
    String channelId = request.getValue("channelId") instanceof String s ? s : null;
    String text = request.getValue("text") instanceof String s ? s : null;
    Object id = request.getValue("clientMessageId");
    if (channelId == null
        || text == null
        || text.isEmpty()
        || (id != null && !(id instanceof String))) {
      emit(out, error("validation-failed", "send needs channelId and a non-empty text"));
      return;
    }
    try {
      LiaisonDevice.Sent sent =
          LiaisonCli.await(
              id == null
                  ? device.send(channelId, text)
                  : device.send(channelId, text, (String) id));
      emit(
          out,
          new JsonObject()
              .put("event", "sent")
              .put("channelId", sent.channelId())
              .put("seq", sent.seq())
              .put("clientMessageId", sent.clientMessageId()));
    } catch (ExecutionException e) {
      emit(out, failure(e.getCause()));
    } catch (Exception e) {
      emit(out, failure(e));
    }
  }

  private static JsonObject event(ChannelEvent e) {
    JsonObject json = new JsonObject().put("channelId", e.channelId());
    if (e instanceof ChannelEvent.Joined j) {
      return json.put("event", "joined").put("seq", j.seq()).put("epoch", j.epoch());
    }
    String reason = e.getClass().getSimpleName();
    if (e instanceof ChannelEvent.Removed) {
      reason = "removed";
    } else if (e instanceof ChannelEvent.MembersChanged) {
      reason = "members-changed";
    } else if (e instanceof ChannelEvent.HistoryUnavailable) {
      reason = "history-unavailable";
    } else if (e instanceof ChannelEvent.Dropped d) {
      reason = "dropped: " + d.reason();
    } else if (e instanceof ChannelEvent.Refused r) {
      reason = "refused: " + r.reason();
    } else if (e instanceof ChannelEvent.Stranded s) {
      reason = "stranded: " + s.reason();
    } else if (e instanceof ChannelEvent.Rebased) {
      reason = "rebased";
    }
    return json.put("event", "channel").put("reason", reason);
  }

  private static JsonObject failure(Throwable e) {
    if (e instanceof LiaisonException api) {
      return error(api.code(), api.getMessage());
    }
    return error("failed", String.valueOf(e.getMessage()));
  }

  private static JsonObject error(String code, String message) {
    return new JsonObject().put("event", "error").put("code", code).put("message", message);
  }

  /** One line per event; handlers run on Vert.x threads and the reader's, hence the lock. */
  private static void emit(PrintWriter out, JsonObject json) {
    synchronized (out) {
      out.println(json.encode());
      out.flush();
    }
  }
}

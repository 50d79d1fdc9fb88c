package org.liaison.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny SMTP relay on 127.0.0.1 for tests: EHLO/HELO, AUTH PLAIN/LOGIN (any account, recorded),
 * MAIL, RCPT, DATA, RSET, NOOP, QUIT. Every accepted message is kept as received; {@link #refuse}
 * makes it answer 550 to every recipient instead.
 */
public final class SmtpRelay implements AutoCloseable {
  /** One message as the relay received it: envelope and raw DATA (dot-unstuffed). */
  public record Received(String from, List<String> to, String data) {
    /** The body with quoted-printable soft breaks and escapes undone (UTF-8). */
    public String decoded() {
      String joined = data.replace("=\r\n", "");
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < joined.length(); i++) {
        char c = joined.charAt(i);
        if (c == '='
            && i + 2 < joined.length()
            && joined.substring(i + 1, i + 3).matches("[0-9A-F]{2}")) {
          out.write(Integer.parseInt(joined.substring(i + 1, i + 3), 16));
          i += 2;
        } else {
          out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final NetServer server;
  public final List<Received> received = new CopyOnWriteArrayList<>();
  public final List<String> logins = new CopyOnWriteArrayList<>();
  private volatile boolean refuse;

  private SmtpRelay() {
    server = vertx.createNetServer().connectHandler(this::session);
    TestServer.await(server.listen(0, "127.0.0.1"));
  }

  public static SmtpRelay start() {
    return new SmtpRelay();
  }

  public int port() {
    return server.actualPort();
  }

  public void refuse(boolean refuse) {
    this.refuse = refuse;
  }

  private void session(NetSocket socket) {
    var state =
        new Object() {
          String from;
          List<String> to = new ArrayList<>();
          StringBuilder data;
          String auth;
        };
    socket.write("220 relay.test ESMTP\r\n");
    RecordParser lines = RecordParser.newDelimited("\r\n");
    lines.handler(
        raw -> {
          String line = raw.toString(StandardCharsets.UTF_8);
          if (state.data != null) {
            if (line.equals(".")) {
              received.add(new Received(state.from, List.copyOf(state.to), state.data.toString()));
              state.data = null;
              state.to = new ArrayList<>();
              socket.write("250 OK queued\r\n");
            } else {
              state.data.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
            }
            return;
          }
          if (state.auth != null) {
            logins.add(decode(line));
            if (state.auth.equals("user")) {
              state.auth = "password";
              socket.write("334 UGFzc3dvcmQ6\r\n");
            } else {
              state.auth = null;
              socket.write("235 OK\r\n");
            }
            return;
          }
          String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
          switch (verb) {
            case "EHLO" ->
                socket.write("250-relay.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
            case "HELO" -> socket.write("250 relay.test\r\n");
            case "AUTH" -> {
              String[] parts = line.split(" ");
              if (parts.length > 2) {
                logins.add(decode(parts[2]));
                socket.write("235 OK\r\n");
              } else if (parts[1].equalsIgnoreCase("LOGIN")) {
                state.auth = "user";
                socket.write("334 VXNlcm5hbWU6\r\n");
              } else {
                state.auth = "password";
                socket.write("334 \r\n");
              }
            }
            case "MAIL" -> {
              state.from = line.substring(line.indexOf(':') + 1).trim();
              socket.write("250 OK\r\n");
            }
            case "RCPT" -> {
              if (refuse) {
                socket.write("550 5.1.1 mailbox unavailable\r\n");
              } else {
                state.to.add(line.substring(line.indexOf(':') + 1).trim());
                socket.write("250 OK\r\n");
              }
            }
            case "DATA" -> {
              state.data = new StringBuilder();
              socket.write("354 go ahead\r\n");
            }
            case "RSET" -> {
              state.to = new ArrayList<>();
              socket.write("250 OK\r\n");
            }
            case "QUIT" -> socket.write("221 bye\r\n").onComplete(v -> socket.close());
            default -> socket.write("250 OK\r\n");
          }
        });
    socket.handler(lines::handle);
  }

  private static String decode(String base64) {
    try {
      return new String(
          java.util.Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return base64;
    }
  }

  @Override
  public void close() {
    TestServer.await(vertx.close());
  }
}

package org.liaison.server.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket opened by hand on a plain TCP socket, so a test can stop reading at the TCP level, as
 * a device on a stalled network does (a WebSocket library would keep reading into its buffers).
 */
public final class StalledSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  public StalledSocket(int port, String token) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setReceiveBufferSize(64 * 1024);
    socket.setSoTimeout(30_000);
    out = socket.getOutputStream();
    out.write(
        ("GET /api/v1/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
                + token
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    in = new DataInputStream(socket.getInputStream());
    String status = readLine(in);
    if (!status.contains(" 101 ")) {
      throw new IOException("upgrade refused: " + status);
    }
    while (!readLine(in).isEmpty()) {
      // headers
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /**
   * Reads frames until the server's close frame and returns its status code; -1 if the connection
   * ended without one.
   */
  public int readUntilClose() throws IOException {
    while (true) {
      int first;
      try {
        first = in.read();
      } catch (IOException reset) {
        return -1;
      }
      if (first < 0) {
        return -1;
      }
      int second = in.readUnsignedByte();
      long length = second & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      if ((first & 0x0F) == 0x8) {
        return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

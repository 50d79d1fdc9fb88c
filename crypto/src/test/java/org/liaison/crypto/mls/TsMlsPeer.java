package org.liaison.crypto.mls;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A ts-mls member in a Node process (web-client/interop/mls-peer.mjs, bundled by the web client's
 * build), spoken to in JSON lines. Wire bytes cross as base64, exactly as they would cross the
 * network.
 */
final class TsMlsPeer implements AutoCloseable {
  static final Path SCRIPT = Path.of("../web-client/interop/dist/mls-peer.mjs");
  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  TsMlsPeer() throws IOException {
    if (!Files.isRegularFile(SCRIPT)) {
      throw new IllegalStateException(
          SCRIPT + " is missing: build the web client first (./liaison build)");
    }
    process =
        new ProcessBuilder("node", SCRIPT.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Sends one request; fails the test with the peer's error if it refused. */
  JsonObject call(JsonObject request) throws IOException {
    JsonObject answer = tryCall(request);
    if (!answer.getBoolean("ok")) {
      throw new IllegalStateException(
          "ts-mls refused " + request.getString("op") + ": " + answer.getString("error"));
    }
    return answer;
  }

  JsonObject tryCall(JsonObject request) throws IOException {
    in.write(request.encode() + "\n");
    in.flush();
    String line = out.readLine();
    if (line == null) {
      throw new IOException("ts-mls peer exited");
    }
    return new JsonObject(line);
  }

  static JsonObject op(String name) {
    return new JsonObject().put("op", name);
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static byte[] bytes(String base64) {
    return Base64.getDecoder().decode(base64);
  }

  @Override
  public void close() throws IOException {
    in.close();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

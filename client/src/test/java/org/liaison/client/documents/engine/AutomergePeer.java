package org.liaison.client.documents.engine;

import io.vertx.core.json.JsonArray;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The browser's Automerge (@automerge/automerge 3.5.0) in a Node process
 * (web-client/interop/automerge-peer.mjs), spoken to in JSON lines; bytes cross as base64.
 */
final class AutomergePeer implements AutoCloseable {
  static final Path SCRIPT = Path.of("../web-client/interop/automerge-peer.mjs");
  static final Path LIBRARY = Path.of("../web-client/node_modules/@automerge/automerge");
  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  AutomergePeer() throws IOException {
    if (!Files.isDirectory(LIBRARY)) {
      throw new IllegalStateException(
          LIBRARY + " is missing: install the web client first (npm ci in web-client)");
    }
    process =
        new ProcessBuilder("node", SCRIPT.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  JsonObject call(JsonObject request) throws IOException {
    in.write(request.encode() + "\n");
    in.flush();
    String line = out.readLine();
    if (line == null) {
      throw new IOException("automerge peer exited");
    }
    JsonObject answer = new JsonObject(line);
    if (!answer.getBoolean("ok")) {
      throw new IllegalStateException(
          "automerge-js refused " + request.getString("op") + ": " + answer.getString("error"));
    }
    return answer;
  }

  static JsonObject op(String name, String document) {
    return new JsonObject().put("op", name).put("name", document);
  }

  JsonObject make(String document, JsonObject content) throws IOException {
    return call(op("make", document).put("doc", content));
  }

  void load(String document, byte[] saved) throws IOException {
    call(op("load", document).put("bytes", b64(saved)));
  }

  void apply(String document, byte[] changes) throws IOException {
    call(op("apply", document).put("changes", b64(changes)));
  }

  byte[] change(String document, JsonArray edits) throws IOException {
    return bytes(call(op("change", document).put("edits", edits)).getString("changes"));
  }

  JsonObject read(String document) throws IOException {
    return call(op("read", document)).getJsonObject("json");
  }

  List<String> heads(String document) throws IOException {
    return call(op("read", document)).getJsonArray("heads").stream()
        .map(String.class::cast)
        .sorted()
        .toList();
  }

  /** The rich-text marks JS reads on the Text at path: {name, value, start, end}. */
  JsonArray marks(String document, List<String> path) throws IOException {
    return call(op("marks", document).put("path", new JsonArray(path))).getJsonArray("marks");
  }

  byte[] save(String document) throws IOException {
    return bytes(call(op("save", document)).getString("bytes"));
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

package org.liaison.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.TestServer;

/** The embedded store serves its own process only, and its file is the owner's alone. */
class EmbeddedStoreAccessTest {
  @TempDir Path dataDir;

  @Test
  void anotherProcessCannotUseTheStorePort() throws Exception {
    try (TestServer server = TestServer.start(dataDir)) {
      String uri = server.server().store().embeddedUri().orElseThrow();
      // A plain driver, as any other local process would have: no secret, no answer.
      MongoClientSettings settings =
          MongoClientSettings.builder()
              .applyConnectionString(new ConnectionString(uri))
              .applyToClusterSettings(b -> b.serverSelectionTimeout(2, TimeUnit.SECONDS))
              .build();
      try (MongoClient outsider = MongoClients.create(settings)) {
        assertThrows(
            IllegalStateException.class,
            () ->
                TestServer.await(
                    Mongo.list(outsider.getDatabase("liaison").getCollection("users").find())));
      }
      // Raw bytes that are not the secret: the connection is closed without a reply.
      int port =
          new ConnectionString(uri)
              .getHosts().stream()
                  .findFirst()
                  .map(h -> h.split(":")[1])
                  .map(Integer::parseInt)
                  .orElseThrow();
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        out.write(new byte[ConnectionSecrets.LENGTH + 64]);
        out.flush();
        InputStream in = socket.getInputStream();
        assertEquals(-1, in.read(), "closed, nothing answered");
      }
      // The server itself still reads and writes.
      TestServer.await(
          Mongo.first(server.server().store().collection("probe").insertOne(new Document("a", 1))));
    }
  }

  @Test
  void theDataFileIsReadableByItsOwnerOnly() throws Exception {
    try (TestServer server = TestServer.start(dataDir)) {
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(dataDir.resolve("liaison.mv.db"))));
    }
  }
}

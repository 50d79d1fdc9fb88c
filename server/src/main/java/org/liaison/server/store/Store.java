package org.liaison.server.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.connection.TransportSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.liaison.server.config.LiaisonConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The document store: a MongoDB replica set when {@code MONGODB_URI} is set, otherwise an embedded
 * MongoDB-wire-compatible server ({@link EmbeddedStore}) with its H2 file under the data dir,
 * reachable only from this process. Either way the application talks to it through the real
 * reactive-streams driver, so there is one code path.
 */
public final class Store {
  private static final Logger LOG = LoggerFactory.getLogger(Store.class);

  private final MongoClient client;
  private final MongoDatabase database;
  private final Optional<EmbeddedStore> embedded;

  private Store(MongoClient client, MongoDatabase database, Optional<EmbeddedStore> embedded) {
    this.client = client;
    this.database = database;
    this.embedded = embedded;
  }

  /** Opens the store; starting the embedded server opens files, so it runs on a worker. */
  public static Future<Store> open(Vertx vertx, LiaisonConfig config) {
    return vertx.executeBlocking(() -> openBlocking(config));
  }

  private static Store openBlocking(LiaisonConfig config) throws IOException {
    Optional<EmbeddedStore> embedded = Optional.empty();
    String uri;
    if (config.mongoUri().isPresent()) {
      uri = config.mongoUri().get();
    } else {
      Files.createDirectories(config.dataDir());
      Path file = config.dataDir().resolve("liaison.mv.db");
      EmbeddedStore store = EmbeddedStore.open(file);
      uri = store.uri();
      embedded = Optional.of(store);
      LOG.info("embedded store started file={} port={}", file, store.port());
    }
    ConnectionString connection = new ConnectionString(uri);
    MongoClientSettings.Builder settings =
        MongoClientSettings.builder()
            .applyConnectionString(connection)
            .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS));
    if (isEmbeddedInThisProcess(connection)) {
      settings.transportSettings(
          TransportSettings.nettyBuilder()
              .socketChannelClass(ConnectionSecrets.PresentingChannel.class)
              .build());
    }
    MongoClient client = MongoClients.create(settings.build());
    return new Store(client, client.getDatabase(config.mongoDatabase()), embedded);
  }

  /** Its own embedded store, or (tests of several nodes) another node's in this process. */
  private static boolean isEmbeddedInThisProcess(ConnectionString connection) {
    if (connection.getHosts().size() != 1) {
      return false;
    }
    ServerAddress address = new ServerAddress(connection.getHosts().get(0));
    return ConnectionSecrets.isEmbeddedInThisProcess(address.getHost(), address.getPort());
  }

  public MongoCollection<Document> collection(String name) {
    return database.getCollection(name);
  }

  public MongoDatabase database() {
    return database;
  }

  /**
   * The embedded store's address on 127.0.0.1, so a second node in this process can share it (tests
   * of several nodes on one store); empty for a MongoDB, whose URI may hold a password.
   */
  public Optional<String> embeddedUri() {
    return embedded.map(EmbeddedStore::uri);
  }

  public String kind() {
    return embedded.isPresent() ? "embedded" : "mongodb";
  }

  /** Round trip to the store, for health checks. */
  public Future<Void> ping() {
    return Mongo.first(database.runCommand(new Document("ping", 1))).mapEmpty();
  }

  /** Closes the driver, then (embedded) stops the server and flushes the H2 file. */
  public Future<Void> close(Vertx vertx) {
    return vertx.executeBlocking(
        () -> {
          client.close();
          embedded.ifPresent(EmbeddedStore::close);
          return null;
        });
  }
}

package org.liaison.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.liaison.crypto.Argon2id;
import org.liaison.server.accounts.Accounts;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.accounts.UserRoutes;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.audit.AuditRoutes;
import org.liaison.server.auth.Actor;
import org.liaison.server.auth.AuthRoutes;
import org.liaison.server.auth.Authenticator;
import org.liaison.server.auth.LoginThrottle;
import org.liaison.server.auth.PasswordHasher;
import org.liaison.server.auth.PasswordResets;
import org.liaison.server.auth.PasswordRoutes;
import org.liaison.server.auth.SessionRepository;
import org.liaison.server.auth.SigningKeys;
import org.liaison.server.auth.Tokens;
import org.liaison.server.backup.HistoryRepository;
import org.liaison.server.backup.HistoryRoutes;
import org.liaison.server.backup.KeyBackupRepository;
import org.liaison.server.backup.KeyBackupRoutes;
import org.liaison.server.broadcasts.BroadcastRoutes;
import org.liaison.server.broadcasts.Broadcasts;
import org.liaison.server.channels.ChannelRepository;
import org.liaison.server.channels.ChannelRoutes;
import org.liaison.server.config.LiaisonConfig;
import org.liaison.server.coordinatorkeys.CoordinatorKeyRequestRoutes;
import org.liaison.server.coordinatorkeys.CoordinatorKeyRequests;
import org.liaison.server.delivery.AppendRequests;
import org.liaison.server.delivery.DeliveryService;
import org.liaison.server.delivery.RetentionJob;
import org.liaison.server.devices.AttestationRevocations;
import org.liaison.server.devices.AttestationWithdrawal;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.devices.DeviceRoutes;
import org.liaison.server.devices.Devices;
import org.liaison.server.documents.DocumentRoutes;
import org.liaison.server.documents.Documents;
import org.liaison.server.http.ClientAddress;
import org.liaison.server.http.ConnectionDeadlines;
import org.liaison.server.http.ErrorResponses;
import org.liaison.server.http.RateLimit;
import org.liaison.server.http.RequestLog;
import org.liaison.server.http.SecurityHeaders;
import org.liaison.server.invitations.InvitationRoutes;
import org.liaison.server.invitations.Invitations;
import org.liaison.server.keydirectory.KeyDirectory;
import org.liaison.server.keydirectory.KeyPackageRoutes;
import org.liaison.server.mail.Mailer;
import org.liaison.server.network.NetworkKeys;
import org.liaison.server.network.NetworkRoot;
import org.liaison.server.network.NetworkRoutes;
import org.liaison.server.ops.OpsRoutes;
import org.liaison.server.organisations.CityRepository;
import org.liaison.server.organisations.OrganisationRoutes;
import org.liaison.server.realtime.RealtimeRoutes;
import org.liaison.server.store.Store;
import org.liaison.server.web.WebClientRoutes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Liaison node: its Vert.x instance, store connection and HTTP server. {@link #start} wires the
 * domains together; {@link #stop} drains requests and closes the store cleanly.
 */
public final class LiaisonServer {
  private static final Logger LOG = LoggerFactory.getLogger(LiaisonServer.class);
  private static final AtomicInteger REGISTRIES = new AtomicInteger();

  private final Vertx vertx;
  private final LiaisonConfig config;
  private final Store store;
  private final HttpServer http;
  private final Invitations.BootstrapState bootstrap;
  private final List<String> routes;
  private final RetentionJob retention;
  private final Mailer mailer;
  private Future<Void> stopping;

  private LiaisonServer(
      Vertx vertx,
      LiaisonConfig config,
      Store store,
      HttpServer http,
      Invitations.BootstrapState bootstrap,
      List<String> routes,
      RetentionJob retention,
      Mailer mailer) {
    this.vertx = vertx;
    this.mailer = mailer;
    this.retention = retention;
    this.config = config;
    this.store = store;
    this.http = http;
    this.bootstrap = bootstrap;
    this.routes = routes;
  }

  /** Loads settings from the file and {@code env}, then starts. */
  public static Future<LiaisonServer> start(Map<String, String> env) {
    Metrics metrics = Metrics.create();
    return closeOnFailure(
        metrics.vertx(),
        LiaisonConfig.load(metrics.vertx(), env)
            .compose(config -> start(metrics, config, Clock.systemUTC())));
  }

  /** Starts with a configuration built by the caller and the given clock (tests move time). */
  public static Future<LiaisonServer> start(LiaisonConfig config, Clock clock) {
    Metrics metrics = Metrics.create();
    return closeOnFailure(metrics.vertx(), start(metrics, config, clock));
  }

  private record Metrics(Vertx vertx, String registry) {
    static Metrics create() {
      // A registry per node, so several nodes in one JVM (tests) keep separate figures.
      String registry = "liaison-" + REGISTRIES.incrementAndGet();
      MicrometerMetricsOptions metrics =
          new MicrometerMetricsOptions()
              .setEnabled(true)
              .setJvmMetricsEnabled(true)
              .setRegistryName(registry)
              .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
      Vertx vertx =
          Vertx.builder()
              .with(new VertxOptions().setMetricsOptions(metrics))
              .withMetrics(new MicrometerMetricsFactory())
              .build();
      return new Metrics(vertx, registry);
    }
  }

  private static Future<LiaisonServer> start(Metrics metrics, LiaisonConfig config, Clock clock) {
    Vertx vertx = metrics.vertx();
    return Store.open(vertx, config)
        .compose(
            store ->
                wire(vertx, config, store, metrics.registry(), clock)
                    .recover(e -> store.close(vertx).transform(v -> Future.failedFuture(e))));
  }

  private static Future<LiaisonServer> wire(
      Vertx vertx, LiaisonConfig config, Store store, String metricsRegistry, Clock clock) {
    Router root = Router.router(vertx);
    Router api = Router.router(vertx);
    HttpServer http =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(config.httpHost())
                .setPort(config.httpPort())
                .setCompressionSupported(true)
                // No HTTP/2 in clear text: no client uses it (browsers speak HTTP/2 only over
                // TLS, which the proxy ends), and its protocol detection would hide a new
                // connection from ConnectionDeadlines until the client sends something.
                .setHttp2ClearTextEnabled(false)
                .setMaxHeaderSize(config.httpMaxHeaderBytes())
                .setMaxInitialLineLength(config.httpMaxInitialLineBytes())
                .setMaxWebSocketFrameSize(RealtimeRoutes.transportLimit(config))
                .setMaxWebSocketMessageSize(RealtimeRoutes.transportLimit(config)));
    UserRepository users = new UserRepository(store);
    CityRepository cities = new CityRepository(store);
    AuditLog audit = new AuditLog(store, clock);
    SessionRepository sessions =
        new SessionRepository(store, clock, Duration.ofDays(config.refreshTokenDays()));
    Mailer mailer = Mailer.create(vertx, config.mail());
    Invitations invitations =
        new Invitations(
            vertx,
            store,
            cities,
            users,
            audit,
            clock,
            Duration.ofDays(config.invitationValidityDays()),
            () -> config.publicBaseUrl(http.actualPort()),
            config.dataDir(),
            mailer);
    PasswordHasher passwords =
        new PasswordHasher(
            vertx,
            new Argon2id.Cost(
                config.argon2MemoryKiB(), config.argon2Iterations(), config.argon2Parallelism()));
    DeviceRepository devices = new DeviceRepository(store);
    KeyDirectory keyDirectory = new KeyDirectory(vertx, store, devices, clock);
    NetworkRoot networkRoot = new NetworkRoot(store);
    AttestationRevocations revocations = new AttestationRevocations(store, vertx.eventBus(), clock);
    ChannelRepository channels = new ChannelRepository(store);
    // Created here, on the context the HTTP server will run on: channel state lives there.
    DeliveryService delivery =
        new DeliveryService(
            vertx,
            store,
            channels,
            keyDirectory,
            devices,
            users,
            clock,
            config.deliveryCacheEntries(),
            (long) config.deliveryCacheMiB() << 20);
    Documents documents =
        new Documents(vertx, store, delivery, clock, config.documentsMaxPerChannel());
    DocumentRoutes documentRoutes =
        new DocumentRoutes(
            documents, config.documentsMaxUpdateBytes(), config.documentsMaxSnapshotBytes());
    RetentionJob retention = new RetentionJob(vertx, delivery, clock);
    HistoryRepository historyChunks = new HistoryRepository(store);
    LoginThrottle throttle =
        new LoginThrottle(
            clock,
            config.loginWindowSeconds(),
            config.loginFailuresPerAccount(),
            config.loginFailuresPerAddress());

    PasswordResets resets =
        new PasswordResets(
            store,
            clock,
            Duration.ofHours(PasswordResets.VALIDITY_HOURS),
            () -> config.publicBaseUrl(http.actualPort()));

    return Future.all(
            List.of(
                resets.createIndexes(),
                users.createIndexes(),
                cities.createIndexes(),
                sessions.createIndexes(),
                invitations.createIndexes(),
                devices.createIndexes(),
                delivery.createIndexes(),
                documents.createIndexes(),
                historyChunks.createIndexes()))
        .compose(
            v -> vertx.executeBlocking(() -> SigningKeys.loadOrCreate(config.signingKeyPath())))
        .compose(
            keys -> {
              Tokens tokens = new Tokens(vertx, keys, config.accessTokenMinutes(), clock);
              Authenticator authenticator = new Authenticator(tokens, users, sessions);
              ConnectionDeadlines deadlines =
                  new ConnectionDeadlines(
                      vertx,
                      config.httpIdleTimeoutSeconds(),
                      config.httpRequestBodyTimeoutSeconds());
              http.connectionHandler(deadlines::connected);
              root.route()
                  .handler(deadlines::handle)
                  .handler(SecurityHeaders::handle)
                  .handler(RequestLog::handle);
              CoordinatorKeyRequests coordinatorKeys =
                  new CoordinatorKeyRequests(
                      store, users, cities, networkRoot, audit, vertx.eventBus(), clock);
              Broadcasts broadcasts =
                  new Broadcasts(
                      vertx,
                      store,
                      users,
                      devices,
                      coordinatorKeys,
                      networkRoot,
                      audit,
                      clock,
                      config.broadcastsMaxContentBytes(),
                      config.broadcastsReminderMinMinutes());
              BroadcastRoutes broadcastRoutes =
                  new BroadcastRoutes(broadcasts, config.broadcastsMaxSendBytes());
              documentRoutes.mountBodyLimits(api, config.maxBodyBytes());
              broadcastRoutes.mountBodyLimits(api, config.maxBodyBytes());
              api.route()
                  .handler(
                      BodyHandler.create()
                          .setBodyLimit(config.maxBodyBytes())
                          .setHandleFileUploads(false));
              new AuthRoutes(
                      users,
                      sessions,
                      tokens,
                      passwords,
                      throttle,
                      invitations,
                      audit,
                      clock,
                      new ClientAddress(config.trustedProxies()))
                  .mount(api, authenticator::handle);
              Devices deviceService =
                  new Devices(
                      vertx.eventBus(),
                      devices,
                      users,
                      sessions,
                      keyDirectory,
                      networkRoot,
                      audit,
                      revocations,
                      clock);
              Accounts accounts =
                  new Accounts(
                      users,
                      sessions,
                      new AttestationWithdrawal(
                          devices, revocations, audit, vertx.eventBus(), coordinatorKeys),
                      deviceService,
                      userId ->
                          channels
                              .channelsOf(userId)
                              .compose(channels::byIds)
                              .map(
                                  shared ->
                                      shared.stream()
                                          .flatMap(c -> c.leaves().stream())
                                          .filter(java.util.Objects::nonNull)
                                          .map(org.liaison.server.channels.Leaf::userId)
                                          .collect(java.util.stream.Collectors.toSet())),
                      audit,
                      vertx.eventBus());
              new UserRoutes(accounts, ctx -> Actor.of(ctx).user())
                  .mount(api, authenticator::handle);
              new PasswordRoutes(
                      users,
                      accounts,
                      sessions,
                      passwords,
                      throttle,
                      resets,
                      audit,
                      new ClientAddress(config.trustedProxies()))
                  .mount(api, authenticator::handle);
              new OrganisationRoutes(cities, audit).mount(api, authenticator::handle);
              new InvitationRoutes(invitations).mount(api, authenticator::handle);
              new AuditRoutes(audit).mount(api, authenticator::handle);
              new NetworkRoutes(new NetworkKeys(networkRoot, audit, vertx.eventBus()))
                  .mount(api, authenticator::handle);
              new CoordinatorKeyRequestRoutes(coordinatorKeys).mount(api, authenticator::handle);
              new DeviceRoutes(deviceService).mount(api, authenticator::handle);
              broadcastRoutes.mount(api, authenticator::handle);
              new KeyPackageRoutes(
                      keyDirectory,
                      new RateLimit(
                          "key-package claims",
                          config.keyPackageClaimsPerMinute() / 60.0,
                          config.keyPackageClaimBurst()))
                  .mount(api, authenticator::handle);
              new KeyBackupRoutes(new KeyBackupRepository(store), audit, clock)
                  .mount(api, authenticator::handle);
              new HistoryRoutes(
                      historyChunks,
                      config.historyMaxChunkBytes(),
                      config.historyMaxBytesPerUser(),
                      clock)
                  .mount(api, authenticator::handle);
              AppendRequests appends = new AppendRequests(delivery);
              // One write budget per device: channel appends and document writes together.
              RateLimit appendRate =
                  new RateLimit(
                      "messages, commits and document writes",
                      config.httpAppendsPerSecond(),
                      config.httpAppendBurst());
              ChannelRoutes channelRoutes =
                  new ChannelRoutes(delivery, appends, devices, clock, appendRate);
              channelRoutes.mount(api, authenticator::handle);
              documentRoutes.mount(api, authenticator::handle, appendRate);
              new RealtimeRoutes(
                      vertx, authenticator, delivery, appends, documents, broadcasts, config)
                  .mount(root);
              try {
                new OpsRoutes(store, metricsRegistry, config.metricsToken()).mount(root, api);
              } catch (java.io.IOException e) {
                return Future.failedFuture(e);
              }
              AuditRoutes.budgetSelfService(
                  api,
                  new RateLimit(
                      "changes to your own account and devices",
                      config.auditSelfServicePerHour() / 3600.0,
                      config.auditSelfServiceBurst()));
              root.route("/api/v1/*").subRouter(api);
              ErrorResponses.install(api);
              ErrorResponses.install(root);
              WebClientRoutes.mount(root, config.webRoot());
              return http.requestHandler(root).listen();
            })
        .compose(server -> invitations.bootstrapIfEmpty())
        .map(
            bootstrap -> {
              retention.start(config.retentionIntervalSeconds() * 1000L);
              LOG.info(
                  "liaison started host={} port={} store={} mail={}",
                  config.httpHost(),
                  http.actualPort(),
                  store.kind(),
                  config.mail().map(m -> m.host() + ":" + m.port()).orElse("off"));
              return new LiaisonServer(
                  vertx,
                  config,
                  store,
                  http,
                  bootstrap,
                  RouteTable.of(root, api),
                  retention,
                  mailer);
            });
  }

  public List<String> routes() {
    return routes;
  }

  public Store store() {
    return store;
  }

  public int port() {
    return http.actualPort();
  }

  public String baseUrl() {
    return config.publicBaseUrl(port());
  }

  /** The retention job, which tests run on demand. */
  public RetentionJob retention() {
    return retention;
  }

  public Invitations.BootstrapState bootstrap() {
    return bootstrap;
  }

  public LiaisonConfig config() {
    return config;
  }

  /**
   * Stops taking connections, lets in-flight requests finish, then closes the store. Calling it
   * again returns the same future.
   */
  public synchronized Future<Void> stop() {
    if (stopping != null) {
      return stopping;
    }
    Promise<Void> stopped = Promise.promise();
    stopping = stopped.future();
    retention.stop();
    http.shutdown(config.shutdownGraceSeconds(), TimeUnit.SECONDS)
        .transform(v -> mailer.close())
        .transform(v -> store.close(vertx))
        .onComplete(
            v -> {
              LOG.info("liaison stopped");
              vertx.close().onComplete(stopped);
            });
    return stopped.future();
  }

  /**
   * The outcome of a start-up chain; if it failed, Vert.x is closed first. The returned promise is
   * not bound to an event loop: anything chained on a closed Vert.x's context would never run.
   */
  private static <T> Future<T> closeOnFailure(Vertx vertx, Future<T> startup) {
    Promise<T> outcome = Promise.promise();
    startup.onComplete(
        result -> {
          if (result.succeeded()) {
            outcome.complete(result.result());
          } else {
            vertx.close().onComplete(v -> outcome.fail(result.cause()));
          }
        });
    return outcome.future();
  }
}

package org.liaison.server.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every setting of the server. Values come from {@code config/liaison.yaml} (documented there) and
 * are overridden by environment variables; {@link #SETTINGS} is the single list of both.
 */
public record LiaisonConfig(
    String httpHost,
    int httpPort,
    int maxBodyBytes,
    Optional<String> publicUrl,
    Path dataDir,
    Optional<String> mongoUri,
    String mongoDatabase,
    Path webRoot,
    int accessTokenMinutes,
    int refreshTokenDays,
    Optional<Path> signingKeyFile,
    int argon2MemoryKiB,
    int argon2Iterations,
    int argon2Parallelism,
    int invitationValidityDays,
    int loginFailuresPerAccount,
    int loginFailuresPerAddress,
    List<String> trustedProxies,
    int loginWindowSeconds,
    int shutdownGraceSeconds,
    int realtimeMaxFrameBytes,
    int realtimeFramesPerSecond,
    int realtimeFrameBurst,
    int realtimeSlowConsumerSeconds,
    int realtimeSocketsPerDevice,
    int realtimeSocketsPerUser,
    int deliveryCacheEntries,
    int deliveryCacheMiB,
    int retentionIntervalSeconds,
    int httpMaxHeaderBytes,
    int httpMaxInitialLineBytes,
    int httpIdleTimeoutSeconds,
    int httpRequestBodyTimeoutSeconds,
    int httpAppendsPerSecond,
    int httpAppendBurst,
    int auditSelfServiceBurst,
    int auditSelfServicePerHour,
    int keyPackageClaimsPerMinute,
    int keyPackageClaimBurst,
    int documentsMaxUpdateBytes,
    int documentsMaxSnapshotBytes,
    int documentsMaxPerChannel,
    int historyMaxChunkBytes,
    int historyMaxBytesPerUser,
    int broadcastsMaxSendBytes,
    int broadcastsMaxContentBytes,
    int broadcastsReminderMinMinutes,
    int broadcastsRetentionDays,
    Optional<Secret> metricsToken,
    Optional<MailSettings> mail) {

  static final Setting<String> HTTP_HOST =
      Setting.text("http.host", "LIAISON_HTTP_HOST", "127.0.0.1");
  static final Setting<Integer> HTTP_PORT =
      Setting.integer("http.port", "LIAISON_HTTP_PORT", 8080, 0, 65535);
  static final Setting<Integer> MAX_BODY =
      Setting.integer("http.maxBodyBytes", "LIAISON_HTTP_MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20);
  static final Setting<String> PUBLIC_URL =
      Setting.text("http.publicUrl", "LIAISON_PUBLIC_URL", "", SettingChecks::url);
  static final Setting<String> DATA_DIR = Setting.text("dataDir", "LIAISON_DATA_DIR", "./data");
  static final Setting<String> MONGO_URI =
      Setting.text("mongodb.uri", "MONGODB_URI", "", SettingChecks::mongoUri);
  static final Setting<String> MONGO_DATABASE =
      Setting.text("mongodb.database", "LIAISON_MONGODB_DATABASE", "liaison");
  static final Setting<String> WEB_ROOT =
      Setting.text("web.root", "LIAISON_WEB_ROOT", "web-client/dist");
  static final Setting<Integer> ACCESS_MINUTES =
      Setting.integer("auth.accessTokenMinutes", "LIAISON_ACCESS_TOKEN_MINUTES", 15, 1, 60);
  static final Setting<Integer> REFRESH_DAYS =
      Setting.integer("auth.refreshTokenDays", "LIAISON_REFRESH_TOKEN_DAYS", 30, 1, 365);
  static final Setting<String> SIGNING_KEY =
      Setting.text("auth.signingKeyFile", "LIAISON_SIGNING_KEY_FILE", "");
  static final Setting<Integer> ARGON2_MEMORY =
      Setting.integer(
          "passwords.argon2MemoryKiB", "LIAISON_ARGON2_MEMORY_KIB", 19 * 1024, 64, 1 << 20);
  static final Setting<Integer> ARGON2_ITERATIONS =
      Setting.integer("passwords.argon2Iterations", "LIAISON_ARGON2_ITERATIONS", 2, 1, 10);
  static final Setting<Integer> ARGON2_PARALLELISM =
      Setting.integer("passwords.argon2Parallelism", "LIAISON_ARGON2_PARALLELISM", 1, 1, 8);
  static final Setting<Integer> INVITATION_DAYS =
      Setting.integer("invitations.validityDays", "LIAISON_INVITATION_DAYS", 7, 1, 90);
  static final Setting<Integer> LOGIN_FAILURES_PER_ACCOUNT =
      Setting.integer(
          "loginLimits.failuresPerAccount", "LIAISON_LOGIN_FAILURES_PER_ACCOUNT", 5, 1, 1000);
  static final Setting<Integer> LOGIN_FAILURES_PER_ADDRESS =
      Setting.integer(
          "loginLimits.failuresPerAddress", "LIAISON_LOGIN_FAILURES_PER_ADDRESS", 30, 1, 100000);
  static final Setting<String> TRUSTED_PROXIES =
      Setting.text("http.trustedProxies", "LIAISON_TRUSTED_PROXIES", "", SettingChecks::addresses);
  static final Setting<Integer> LOGIN_WINDOW =
      Setting.integer("loginLimits.windowSeconds", "LIAISON_LOGIN_WINDOW_SECONDS", 900, 1, 86400);
  static final Setting<Integer> SHUTDOWN_GRACE =
      Setting.integer("shutdown.graceSeconds", "LIAISON_SHUTDOWN_GRACE_SECONDS", 20, 0, 600);

  static final Setting<Integer> REALTIME_MAX_FRAME =
      Setting.integer(
          "realtime.maxFrameBytes", "LIAISON_REALTIME_MAX_FRAME_BYTES", 256 * 1024, 4096, 1 << 20);
  static final Setting<Integer> REALTIME_RATE =
      Setting.integer(
          "realtime.framesPerSecond", "LIAISON_REALTIME_FRAMES_PER_SECOND", 50, 1, 100000);
  static final Setting<Integer> REALTIME_BURST =
      Setting.integer("realtime.frameBurst", "LIAISON_REALTIME_FRAME_BURST", 200, 1, 1000000);
  static final Setting<Integer> REALTIME_SLOW_CONSUMER =
      Setting.integer(
          "realtime.slowConsumerSeconds", "LIAISON_REALTIME_SLOW_CONSUMER_SECONDS", 30, 1, 3600);
  static final Setting<Integer> REALTIME_SOCKETS_PER_DEVICE =
      Setting.integer(
          "realtime.socketsPerDevice", "LIAISON_REALTIME_SOCKETS_PER_DEVICE", 4, 1, 100);
  static final Setting<Integer> REALTIME_SOCKETS_PER_USER =
      Setting.integer("realtime.socketsPerUser", "LIAISON_REALTIME_SOCKETS_PER_USER", 16, 1, 1000);
  static final Setting<Integer> DELIVERY_CACHE_ENTRIES =
      Setting.integer(
          "delivery.cacheEntries", "LIAISON_DELIVERY_CACHE_ENTRIES", 50_000, 0, 10_000_000);
  static final Setting<Integer> DELIVERY_CACHE_MIB =
      Setting.integer("delivery.cacheMiB", "LIAISON_DELIVERY_CACHE_MIB", 64, 0, 65536);
  static final Setting<Integer> RETENTION_INTERVAL =
      Setting.integer(
          "retention.intervalSeconds", "LIAISON_RETENTION_INTERVAL_SECONDS", 3600, 1, 86400);

  // Edge limits: what one connection, device or user may cost a node.
  static final Setting<Integer> HTTP_MAX_HEADER =
      Setting.integer(
          "http.maxHeaderBytes", "LIAISON_HTTP_MAX_HEADER_BYTES", 8192, 1024, 64 * 1024);
  static final Setting<Integer> HTTP_MAX_INITIAL_LINE =
      Setting.integer(
          "http.maxInitialLineBytes", "LIAISON_HTTP_MAX_INITIAL_LINE_BYTES", 4096, 256, 64 * 1024);
  static final Setting<Integer> HTTP_IDLE_TIMEOUT =
      Setting.integer("http.idleTimeoutSeconds", "LIAISON_HTTP_IDLE_TIMEOUT_SECONDS", 60, 1, 3600);
  static final Setting<Integer> HTTP_BODY_TIMEOUT =
      Setting.integer(
          "http.requestBodyTimeoutSeconds",
          "LIAISON_HTTP_REQUEST_BODY_TIMEOUT_SECONDS",
          30,
          1,
          3600);
  static final Setting<Integer> HTTP_APPENDS_PER_SECOND =
      Setting.integer("http.appendsPerSecond", "LIAISON_HTTP_APPENDS_PER_SECOND", 20, 1, 1_000_000);
  static final Setting<Integer> HTTP_APPEND_BURST =
      Setting.integer("http.appendBurst", "LIAISON_HTTP_APPEND_BURST", 500, 1, 1_000_000);
  static final Setting<Integer> AUDIT_SELF_SERVICE_BURST =
      Setting.integer("audit.selfServiceBurst", "LIAISON_AUDIT_SELF_SERVICE_BURST", 20, 1, 100_000);
  static final Setting<Integer> AUDIT_SELF_SERVICE_PER_HOUR =
      Setting.integer(
          "audit.selfServicePerHour", "LIAISON_AUDIT_SELF_SERVICE_PER_HOUR", 30, 1, 1_000_000);
  static final Setting<Integer> KEY_PACKAGE_CLAIMS_PER_MINUTE =
      Setting.integer(
          "keyPackages.claimsPerMinute",
          "LIAISON_KEY_PACKAGES_CLAIMS_PER_MINUTE",
          120,
          1,
          1_000_000);
  // At least the 50 users one claim may name, which it takes at once.
  static final Setting<Integer> KEY_PACKAGE_CLAIM_BURST =
      Setting.integer(
          "keyPackages.claimBurst", "LIAISON_KEY_PACKAGES_CLAIM_BURST", 200, 50, 1_000_000);
  // Documents: one update is a batch of edits (the client sends at most one per 250 ms), a
  // snapshot a whole Automerge save with its history.
  static final Setting<Integer> DOCUMENTS_MAX_UPDATE =
      Setting.integer(
          "documents.maxUpdateBytes",
          "LIAISON_DOCUMENTS_MAX_UPDATE_BYTES",
          256 * 1024,
          1024,
          4 << 20);
  static final Setting<Integer> DOCUMENTS_MAX_SNAPSHOT =
      Setting.integer(
          "documents.maxSnapshotBytes",
          "LIAISON_DOCUMENTS_MAX_SNAPSHOT_BYTES",
          8 << 20,
          64 * 1024,
          64 << 20);
  static final Setting<Integer> DOCUMENTS_MAX_PER_CHANNEL =
      Setting.integer(
          "documents.maxPerChannel", "LIAISON_DOCUMENTS_MAX_PER_CHANNEL", 500, 1, 100_000);
  // Broadcasts (docs/broadcasts.md): a send carries one 80-byte wrap per recipient device, about
  // 2-3 MB of JSON for 20 000 devices, and its own body limit to match.
  static final Setting<Integer> BROADCASTS_MAX_SEND =
      Setting.integer(
          "broadcasts.maxSendBytes",
          "LIAISON_BROADCASTS_MAX_SEND_BYTES",
          8 << 20,
          64 * 1024,
          64 << 20);
  static final Setting<Integer> BROADCASTS_MAX_CONTENT =
      Setting.integer(
          "broadcasts.maxContentBytes",
          "LIAISON_BROADCASTS_MAX_CONTENT_BYTES",
          256 * 1024,
          1024,
          4 << 20);
  static final Setting<Integer> BROADCASTS_REMINDER_MIN_MINUTES =
      Setting.integer(
          "broadcasts.reminderMinMinutes",
          "LIAISON_BROADCASTS_REMINDER_MIN_MINUTES",
          60,
          0,
          7 * 24 * 60);
  static final Setting<Integer> BROADCASTS_RETENTION_DAYS =
      Setting.integer(
          "broadcasts.retentionDays", "LIAISON_BROADCASTS_RETENTION_DAYS", 365, 1, 3650);
  // The encrypted history backup (docs/crypto.md): one chunk holds up to 100 messages of a channel.
  static final Setting<Integer> HISTORY_MAX_CHUNK =
      Setting.integer(
          "history.maxChunkBytes", "LIAISON_HISTORY_MAX_CHUNK_BYTES", 256 * 1024, 2048, 512 * 1024);
  static final Setting<Integer> HISTORY_MAX_PER_USER =
      Setting.integer(
          "history.maxBytesPerUser",
          "LIAISON_HISTORY_MAX_BYTES_PER_USER",
          64 << 20,
          4096,
          Integer.MAX_VALUE);
  static final Setting<String> METRICS_TOKEN =
      Setting.text("metrics.token", "LIAISON_METRICS_TOKEN", "");

  // Invitation e-mail. Off: invitation links are copied by whoever made them, nothing is sent.
  static final Setting<String> MAIL_ENABLED =
      Setting.text("mail.enabled", "LIAISON_MAIL_ENABLED", "false", SettingChecks::bool);
  static final Setting<String> MAIL_HOST = Setting.text("mail.host", "LIAISON_MAIL_HOST", "");
  static final Setting<Integer> MAIL_PORT =
      Setting.integer("mail.port", "LIAISON_MAIL_PORT", 587, 1, 65535);
  static final Setting<String> MAIL_SECURITY =
      Setting.text(
          "mail.security", "LIAISON_MAIL_SECURITY", "starttls", SettingChecks::mailSecurity);
  static final Setting<String> MAIL_USERNAME =
      Setting.text("mail.username", "LIAISON_MAIL_USERNAME", "");
  static final Setting<String> MAIL_PASSWORD =
      Setting.text("mail.password", "LIAISON_MAIL_PASSWORD", "");
  static final Setting<String> MAIL_PASSWORD_FILE =
      Setting.text("mail.passwordFile", "LIAISON_MAIL_PASSWORD_FILE", "");
  static final Setting<String> MAIL_FROM =
      Setting.text("mail.from", "LIAISON_MAIL_FROM", "", SettingChecks::emailOrEmpty);
  static final Setting<Integer> MAIL_TIMEOUT =
      Setting.integer("mail.timeoutSeconds", "LIAISON_MAIL_TIMEOUT_SECONDS", 30, 1, 600);

  static final List<Setting<?>> SETTINGS =
      List.of(
          HTTP_HOST,
          HTTP_PORT,
          MAX_BODY,
          PUBLIC_URL,
          DATA_DIR,
          MONGO_URI,
          MONGO_DATABASE,
          WEB_ROOT,
          ACCESS_MINUTES,
          REFRESH_DAYS,
          SIGNING_KEY,
          ARGON2_MEMORY,
          ARGON2_ITERATIONS,
          ARGON2_PARALLELISM,
          INVITATION_DAYS,
          LOGIN_FAILURES_PER_ACCOUNT,
          LOGIN_FAILURES_PER_ADDRESS,
          TRUSTED_PROXIES,
          LOGIN_WINDOW,
          SHUTDOWN_GRACE,
          REALTIME_MAX_FRAME,
          REALTIME_RATE,
          REALTIME_BURST,
          REALTIME_SLOW_CONSUMER,
          REALTIME_SOCKETS_PER_DEVICE,
          REALTIME_SOCKETS_PER_USER,
          DELIVERY_CACHE_ENTRIES,
          DELIVERY_CACHE_MIB,
          RETENTION_INTERVAL,
          HTTP_MAX_HEADER,
          HTTP_MAX_INITIAL_LINE,
          HTTP_IDLE_TIMEOUT,
          HTTP_BODY_TIMEOUT,
          HTTP_APPENDS_PER_SECOND,
          HTTP_APPEND_BURST,
          AUDIT_SELF_SERVICE_BURST,
          AUDIT_SELF_SERVICE_PER_HOUR,
          KEY_PACKAGE_CLAIMS_PER_MINUTE,
          KEY_PACKAGE_CLAIM_BURST,
          DOCUMENTS_MAX_UPDATE,
          DOCUMENTS_MAX_SNAPSHOT,
          DOCUMENTS_MAX_PER_CHANNEL,
          HISTORY_MAX_CHUNK,
          HISTORY_MAX_PER_USER,
          BROADCASTS_MAX_SEND,
          BROADCASTS_MAX_CONTENT,
          BROADCASTS_REMINDER_MIN_MINUTES,
          BROADCASTS_RETENTION_DAYS,
          METRICS_TOKEN,
          MAIL_ENABLED,
          MAIL_HOST,
          MAIL_PORT,
          MAIL_SECURITY,
          MAIL_USERNAME,
          MAIL_PASSWORD,
          MAIL_PASSWORD_FILE,
          MAIL_FROM,
          MAIL_TIMEOUT);

  /** Environment variables that point at the settings file itself. */
  public static final String CONFIG_FILE_ENV = "LIAISON_CONFIG";

  /** {@code LIAISON_*} variables that are not settings of the server but are known elsewhere. */
  private static final Set<String> OTHER_KNOWN_ENV =
      Set.of(
          CONFIG_FILE_ENV,
          "LIAISON_LOG_FORMAT",
          "LIAISON_LOG_LEVEL",
          "LIAISON_URL",
          "LIAISON_SESSION_FILE",
          "LIAISON_PASSWORD");

  /** The public address people and invitation links use. */
  public String publicBaseUrl(int boundPort) {
    return publicUrl.orElse("http://localhost:" + boundPort);
  }

  public Path signingKeyPath() {
    return signingKeyFile.orElse(dataDir.resolve("jwt-signing-key.pem"));
  }

  /** Reads the settings file (if any) and the environment through vertx-config. */
  public static Future<LiaisonConfig> load(Vertx vertx, Map<String, String> env) {
    Path file = Path.of(env.getOrDefault(CONFIG_FILE_ENV, "config/liaison.yaml"));
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0);
    if (Files.isRegularFile(file)) {
      options.addStore(
          new ConfigStoreOptions()
              .setType("file")
              .setFormat("yaml")
              .setConfig(new JsonObject().put("path", file.toString())));
    } else if (env.containsKey(CONFIG_FILE_ENV)) {
      return Future.failedFuture(
          new ConfigException(
              "Invalid setting " + CONFIG_FILE_ENV + ": no such file '" + file + "'"));
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever
        .getConfig()
        .recover(
            e ->
                Future.failedFuture(
                    new ConfigException("Invalid settings file '" + file + "': " + e.getMessage())))
        .map(yaml -> from(yaml, env))
        .eventually(retriever::close);
  }

  /**
   * Builds the configuration from a parsed settings file and an environment. Throws {@link
   * ConfigException} naming the first bad or unknown setting.
   */
  public static LiaisonConfig from(JsonObject file, Map<String, String> env) {
    Map<String, String> raw = new HashMap<>();
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", file, flat);
    Set<String> known = SETTINGS.stream().map(Setting::key).collect(Collectors.toSet());
    for (Map.Entry<String, Object> entry : flat.entrySet()) {
      if (!known.contains(entry.getKey())) {
        throw new ConfigException("Unknown setting '" + entry.getKey() + "' in the settings file");
      }
      if (entry.getValue() != null) {
        raw.put(entry.getKey(), entry.getValue().toString());
      }
    }
    Set<String> knownEnv = SETTINGS.stream().map(Setting::env).collect(Collectors.toSet());
    for (String name : env.keySet()) {
      // A mistyped variable would otherwise be ignored without a word.
      if (name.startsWith("LIAISON_")
          && !knownEnv.contains(name)
          && !OTHER_KNOWN_ENV.contains(name)) {
        throw new ConfigException("Unknown setting " + name + " in the environment");
      }
    }
    for (Setting<?> setting : SETTINGS) {
      String fromEnv = env.get(setting.env());
      if (fromEnv != null) {
        raw.put(setting.key(), fromEnv);
      }
    }
    Values values = new Values(raw);
    String publicUrl = values.get(PUBLIC_URL);
    String mongoUri = values.get(MONGO_URI);
    String signingKey = values.get(SIGNING_KEY);
    String metricsToken = values.get(METRICS_TOKEN);
    return new LiaisonConfig(
        values.get(HTTP_HOST),
        values.get(HTTP_PORT),
        values.get(MAX_BODY),
        publicUrl.isEmpty()
            ? Optional.empty()
            : Optional.of(SettingChecks.withoutTrailingSlash(publicUrl)),
        Path.of(values.get(DATA_DIR)).toAbsolutePath().normalize(),
        mongoUri.isEmpty() ? Optional.empty() : Optional.of(mongoUri),
        values.get(MONGO_DATABASE),
        Path.of(values.get(WEB_ROOT)),
        values.get(ACCESS_MINUTES),
        values.get(REFRESH_DAYS),
        signingKey.isEmpty() ? Optional.empty() : Optional.of(Path.of(signingKey)),
        values.get(ARGON2_MEMORY),
        values.get(ARGON2_ITERATIONS),
        values.get(ARGON2_PARALLELISM),
        values.get(INVITATION_DAYS),
        values.get(LOGIN_FAILURES_PER_ACCOUNT),
        values.get(LOGIN_FAILURES_PER_ADDRESS),
        SettingChecks.list(values.get(TRUSTED_PROXIES)),
        values.get(LOGIN_WINDOW),
        values.get(SHUTDOWN_GRACE),
        values.get(REALTIME_MAX_FRAME),
        values.get(REALTIME_RATE),
        values.get(REALTIME_BURST),
        values.get(REALTIME_SLOW_CONSUMER),
        values.get(REALTIME_SOCKETS_PER_DEVICE),
        values.get(REALTIME_SOCKETS_PER_USER),
        values.get(DELIVERY_CACHE_ENTRIES),
        values.get(DELIVERY_CACHE_MIB),
        values.get(RETENTION_INTERVAL),
        values.get(HTTP_MAX_HEADER),
        values.get(HTTP_MAX_INITIAL_LINE),
        values.get(HTTP_IDLE_TIMEOUT),
        values.get(HTTP_BODY_TIMEOUT),
        values.get(HTTP_APPENDS_PER_SECOND),
        values.get(HTTP_APPEND_BURST),
        values.get(AUDIT_SELF_SERVICE_BURST),
        values.get(AUDIT_SELF_SERVICE_PER_HOUR),
        values.get(KEY_PACKAGE_CLAIMS_PER_MINUTE),
        values.get(KEY_PACKAGE_CLAIM_BURST),
        values.get(DOCUMENTS_MAX_UPDATE),
        values.get(DOCUMENTS_MAX_SNAPSHOT),
        values.get(DOCUMENTS_MAX_PER_CHANNEL),
        values.get(HISTORY_MAX_CHUNK),
        values.get(HISTORY_MAX_PER_USER),
        values.get(BROADCASTS_MAX_SEND),
        values.get(BROADCASTS_MAX_CONTENT),
        values.get(BROADCASTS_REMINDER_MIN_MINUTES),
        values.get(BROADCASTS_RETENTION_DAYS),
        metricsToken.isEmpty() ? Optional.empty() : Optional.of(new Secret(metricsToken)),
        mail(values));
  }

  /** The mail settings when mail is enabled; then the relay and the sender are required. */
  private static Optional<MailSettings> mail(Values values) {
    // Checked even while mail is off: a bad value should not wait for the day it is switched on.
    MailSettings.Security security = MailSettings.Security.parse(values.get(MAIL_SECURITY));
    int port = values.get(MAIL_PORT);
    int timeout = values.get(MAIL_TIMEOUT);
    String host = values.get(MAIL_HOST);
    String from = values.get(MAIL_FROM);
    if (!Boolean.parseBoolean(values.get(MAIL_ENABLED))) {
      return Optional.empty();
    }
    if (host.isEmpty()) {
      throw new ConfigException(
          "Invalid setting mail.host (LIAISON_MAIL_HOST): required when mail.enabled is true");
    }
    if (from.isEmpty()) {
      throw new ConfigException(
          "Invalid setting mail.from (LIAISON_MAIL_FROM): required when mail.enabled is true");
    }
    String username = values.get(MAIL_USERNAME);
    String password = values.get(MAIL_PASSWORD);
    String passwordFile = values.get(MAIL_PASSWORD_FILE);
    if (!password.isEmpty() && !passwordFile.isEmpty()) {
      throw new ConfigException(
          "Invalid setting mail.passwordFile (LIAISON_MAIL_PASSWORD_FILE): set it or"
              + " mail.password, not both");
    }
    if (!passwordFile.isEmpty()) {
      password = SettingChecks.secretFile(passwordFile, MAIL_PASSWORD_FILE);
    }
    if (!password.isEmpty() && username.isEmpty()) {
      throw new ConfigException(
          "Invalid setting mail.username (LIAISON_MAIL_USERNAME): required with a password");
    }
    return Optional.of(
        new MailSettings(
            host,
            port,
            security,
            username.isEmpty() ? Optional.empty() : Optional.of(username),
            password.isEmpty() ? Optional.empty() : Optional.of(new Secret(password)),
            from,
            timeout));
  }

  /** Defaults only, with overrides given as env-style names: for tests and tools. */
  public static LiaisonConfig withOverrides(Map<String, String> env) {
    return from(new JsonObject(), env);
  }

  private record Values(Map<String, String> raw) {
    <T> T get(Setting<T> setting) {
      String value = raw.getOrDefault(setting.key(), setting.defaultValue());
      try {
        return setting.parser().parse(value);
      } catch (IllegalArgumentException e) {
        // The value itself is not echoed: it may be a connection string with a password.
        throw new ConfigException(
            "Invalid setting " + setting.key() + " (" + setting.env() + "): " + e.getMessage());
      }
    }
  }

  private static void flatten(String prefix, JsonObject json, Map<String, Object> out) {
    for (Map.Entry<String, Object> entry : json) {
      String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      if (entry.getValue() instanceof JsonObject nested) {
        flatten(key, nested, out);
      } else {
        out.put(key, entry.getValue());
      }
    }
  }
}

package org.liaison.server.mail;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.liaison.server.config.MailSettings;

/**
 * Sends plain-text e-mail through the configured SMTP relay, or nothing when mail is off. A failed
 * delivery fails the future with a {@link Failure} whose {@link Failure#reason} is a short code
 * (never the relay's own text, which may quote the recipient or the account), for the sender's
 * records and the admin's screen.
 */
public final class Mailer {
  /** What a failed delivery is shown as: a short, translatable code. */
  public enum Reason {
    /** The relay could not be reached (wrong host or port, down, firewall). */
    UNREACHABLE("unreachable"),
    /** The relay refused the message or the recipient. */
    REFUSED("refused"),
    /** The relay refused the account (wrong username or password). */
    LOGIN_FAILED("login-failed"),
    /** No secure connection could be made (certificate, STARTTLS not offered). */
    INSECURE("insecure"),
    /** The delivery took longer than {@code mail.timeoutSeconds}. */
    TIMEOUT("timeout"),
    OTHER("other");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** A delivery that did not happen, and why. */
  public static final class Failure extends VertxException {
    private final Reason reason;

    Failure(Reason reason) {
      super("e-mail not delivered: " + reason.wire(), true);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  /** One plain-text message; its text holds a secret link, so {@link #toString} leaves it out. */
  public record Message(String to, String subject, String text) {
    @Override
    public String toString() {
      return "Message[to=" + mask(to) + "]";
    }
  }

  private final Optional<MailClient> client;
  private final String from;
  private final long timeoutMillis;

  private Mailer(Optional<MailClient> client, String from, long timeoutMillis) {
    this.client = client;
    this.from = from;
    this.timeoutMillis = timeoutMillis;
  }

  /** A mailer for these settings; without them, one that is not configured and sends nothing. */
  public static Mailer create(Vertx vertx, Optional<MailSettings> settings) {
    if (settings.isEmpty()) {
      return new Mailer(Optional.empty(), null, 0);
    }
    MailSettings s = settings.get();
    MailConfig config =
        new MailConfig()
            .setHostname(s.host())
            .setPort(s.port())
            .setStarttls(
                s.security() == MailSettings.Security.STARTTLS
                    ? StartTLSOptions.REQUIRED
                    : StartTLSOptions.DISABLED)
            .setSsl(s.security() == MailSettings.Security.TLS)
            // Invitations are rare: no idle connections kept to the relay.
            .setKeepAlive(false)
            .setConnectTimeout(s.timeoutSeconds() * 1000);
    config.setHostnameVerificationAlgorithm("HTTPS");
    if (s.username().isPresent()) {
      config
          .setLogin(LoginOption.REQUIRED)
          .setUsername(s.username().get())
          .setPassword(s.password().map(p -> p.value()).orElse(""));
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    return new Mailer(
        Optional.of(MailClient.create(vertx, config)), s.from(), s.timeoutSeconds() * 1000L);
  }

  public boolean configured() {
    return client.isPresent();
  }

  /** Hands the message to the relay; fails with a {@link Failure}. */
  public Future<Void> send(Message message) {
    if (client.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("mail is not configured"));
    }
    MailMessage mail =
        new MailMessage()
            .setFrom(from)
            .setTo(message.to())
            .setSubject(message.subject())
            .setText(message.text());
    return client
        .get()
        .sendMail(mail)
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(new Failure(classify(e))));
  }

  public Future<Void> close() {
    return client.map(MailClient::close).orElse(Future.succeededFuture());
  }

  static Reason classify(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof SMTPException smtp) {
        int code = smtp.getReplyCode();
        return code == 535 || code == 534 || code == 530 ? Reason.LOGIN_FAILED : Reason.REFUSED;
      }
      if (e instanceof TimeoutException
          || e.getClass().getSimpleName().contains("Timeout")
          || String.valueOf(e.getMessage()).contains("timed out")) {
        return Reason.TIMEOUT;
      }
      if (e instanceof ConnectException || e instanceof UnknownHostException) {
        return Reason.UNREACHABLE;
      }
      if (e instanceof SSLException) {
        return Reason.INSECURE;
      }
      String text = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (text.contains("starttls") || text.contains("ssl") || text.contains("tls")) {
        return Reason.INSECURE;
      }
      if (text.contains("connection refused") || text.contains("unresolved")) {
        return Reason.UNREACHABLE;
      }
      if (text.contains("auth") || text.contains("login")) {
        return Reason.LOGIN_FAILED;
      }
    }
    return Reason.OTHER;
  }

  /** "b***@tirana.example": enough for an operator to tell deliveries apart, in logs. */
  public static String mask(String email) {
    if (email == null) {
      return "?";
    }
    int at = email.indexOf('@');
    if (at <= 0) {
      return "***";
    }
    return email.charAt(0) + "***" + email.substring(at);
  }
}

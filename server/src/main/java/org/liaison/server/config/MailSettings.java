package org.liaison.server.config;

import java.util.Optional;

/**
 * How invitation e-mail leaves the server: the SMTP relay, how the connection is protected, the
 * account on it and the sender address. Present in {@link LiaisonConfig#mail()} only when {@code
 * mail.enabled} is true; the password is a {@link Secret}, so printing these settings hides it.
 */
public record MailSettings(
    String host,
    int port,
    Security security,
    Optional<String> username,
    Optional<Secret> password,
    String from,
    int timeoutSeconds) {

  /** {@code starttls}: plain connection upgraded (required); {@code tls}: TLS from the start. */
  public enum Security {
    STARTTLS,
    TLS,
    NONE;

    static Security parse(String raw) {
      return switch (raw) {
        case "starttls" -> STARTTLS;
        case "tls" -> TLS;
        case "none" -> NONE;
        default -> throw new IllegalArgumentException("expected starttls, tls or none");
      };
    }
  }
}

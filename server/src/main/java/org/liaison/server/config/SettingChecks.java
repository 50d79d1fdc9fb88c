package org.liaison.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/** The checks and conversions of text settings that are more than a trim. */
final class SettingChecks {
  private SettingChecks() {}

  static String url(String value) {
    if (value.isEmpty()) {
      return value;
    }
    try {
      URI uri = new URI(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "expected an http(s) URL such as https://liaison.example");
      }
      return value;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("expected an http(s) URL such as https://liaison.example");
    }
  }

  static String mongoUri(String value) {
    if (!value.isEmpty()
        && !value.startsWith("mongodb://")
        && !value.startsWith("mongodb+srv://")) {
      throw new IllegalArgumentException(
          "expected a mongodb:// or mongodb+srv:// connection string");
    }
    return value;
  }

  /** Comma-separated literal IP addresses (no host names: they would need resolving). */
  static String addresses(String value) {
    for (String address : list(value)) {
      if (!address.matches("^[0-9.]+$|^[0-9a-fA-F:]+$")) {
        throw new IllegalArgumentException("expected comma-separated IP addresses");
      }
    }
    return value;
  }

  static List<String> list(String value) {
    return java.util.Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  static String bool(String value) {
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException("expected true or false");
    }
    return value;
  }

  static String mailSecurity(String value) {
    if (!List.of("starttls", "tls", "none").contains(value)) {
      throw new IllegalArgumentException("expected starttls, tls or none");
    }
    return value;
  }

  static String emailOrEmpty(String value) {
    if (!value.isEmpty() && !value.matches("^[^@\\s<>]{1,64}@[^@\\s<>]+\\.[^@\\s<>]{2,}$")) {
      throw new IllegalArgumentException("expected an e-mail address such as liaison@city.example");
    }
    return value;
  }

  /**
   * The first line of a file holding a secret (e.g. a mounted Kubernetes or Docker secret). The
   * message on failure names the setting and the file, never its content.
   */
  static String secretFile(String path, Setting<?> setting) {
    try {
      String text = java.nio.file.Files.readString(java.nio.file.Path.of(path));
      int end = text.indexOf('\n');
      return (end < 0 ? text : text.substring(0, end)).strip();
    } catch (java.io.IOException | RuntimeException e) {
      throw new ConfigException(
          "Invalid setting "
              + setting.key()
              + " ("
              + setting.env()
              + "): cannot read the file '"
              + path
              + "'");
    }
  }
}

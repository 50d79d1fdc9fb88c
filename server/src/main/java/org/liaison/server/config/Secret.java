package org.liaison.server.config;

/**
 * A setting that must never reach a log or an error message: {@link #toString} hides it, so
 * printing the configuration (or a record holding it) cannot leak it.
 */
public record Secret(String value) {
  @Override
  public String toString() {
    return "Secret[hidden]";
  }
}

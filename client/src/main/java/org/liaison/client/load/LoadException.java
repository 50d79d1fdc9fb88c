package org.liaison.client.load;

/** A load run that cannot go on (setup refused, server unreachable, limits hit). */
final class LoadException extends RuntimeException {
  LoadException(String message) {
    super(message);
  }

  LoadException(String message, Throwable cause) {
    super(message, cause);
  }
}

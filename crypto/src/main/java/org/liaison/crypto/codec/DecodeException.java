package org.liaison.crypto.codec;

/** Bytes that are not a valid encoding: truncated, oversized, or with trailing garbage. */
public final class DecodeException extends RuntimeException {
  public DecodeException(String message) {
    super(message);
  }
}

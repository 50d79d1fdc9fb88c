package org.liaison.client.channels;

/**
 * The server said something this device can check and it was false: another network root key than
 * the one the client was configured with, or a channel whose policy or id differs from its MLS
 * group id. The device refuses to go on with it.
 */
public final class UntrustedServerException extends RuntimeException {
  public UntrustedServerException(String message) {
    super(message);
  }
}

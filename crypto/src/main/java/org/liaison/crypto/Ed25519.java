package org.liaison.crypto;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 signatures with a domain-separation label prefixed to every message, so a signature made
 * for one purpose can never be replayed as another.
 */
public final class Ed25519 {
  public static final int PUBLIC_KEY_LENGTH = 32;
  public static final int SIGNATURE_LENGTH = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ed25519() {}

  /** A signing key; {@link #toString} never shows the private half. */
  public static final class KeyPair {
    private final byte[] privateKey;
    private final byte[] publicKey;

    private KeyPair(byte[] privateKey) {
      this.privateKey = privateKey.clone();
      this.publicKey =
          new Ed25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
    }

    public static KeyPair generate() {
      return new KeyPair(new Ed25519PrivateKeyParameters(RANDOM).getEncoded());
    }

    /** Restores a key pair from its 32-byte private seed (e.g. from an encrypted backup). */
    public static KeyPair fromPrivate(byte[] seed) {
      if (seed.length != 32) {
        throw new IllegalArgumentException("Ed25519 private keys are 32 bytes");
      }
      return new KeyPair(seed);
    }

    public byte[] publicKey() {
      return publicKey.clone();
    }

    public byte[] privateSeed() {
      return privateKey.clone();
    }

    public byte[] sign(String label, byte[] message) {
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, new Ed25519PrivateKeyParameters(privateKey, 0));
      byte[] labelled = labelled(label, message);
      signer.update(labelled, 0, labelled.length);
      return signer.generateSignature();
    }

    @Override
    public String toString() {
      return "Ed25519.KeyPair[public=" + java.util.HexFormat.of().formatHex(publicKey) + "]";
    }
  }

  public static boolean verify(byte[] publicKey, String label, byte[] message, byte[] signature) {
    if (publicKey.length != PUBLIC_KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    Ed25519Signer verifier = new Ed25519Signer();
    try {
      verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
    } catch (IllegalArgumentException notAPoint) {
      return false;
    }
    byte[] labelled = labelled(label, message);
    verifier.update(labelled, 0, labelled.length);
    return verifier.verifySignature(signature);
  }

  /** length(label) || label || message: the label cannot be confused with message bytes. */
  private static byte[] labelled(String label, byte[] message) {
    byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out =
        Arrays.copyOf(
            new byte[] {(byte) labelBytes.length}, 1 + labelBytes.length + message.length);
    System.arraycopy(labelBytes, 0, out, 1, labelBytes.length);
    System.arraycopy(message, 0, out, 1 + labelBytes.length, message.length);
    return out;
  }
}

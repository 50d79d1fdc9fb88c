package org.liaison.server.accounts;

import java.util.Base64;
import org.bson.Document;
import org.liaison.crypto.Argon2id;

/** An Argon2id verifier with the salt and cost it was made with, as stored beside the user. */
public record PasswordHash(byte[] salt, Argon2id.Cost cost, byte[] hash) {
  static final String ALGORITHM = "argon2id";

  public Document toDocument() {
    Base64.Encoder b64 = Base64.getEncoder();
    return new Document("algorithm", ALGORITHM)
        .append("salt", b64.encodeToString(salt))
        .append("memoryKiB", cost.memoryKiB())
        .append("iterations", cost.iterations())
        .append("parallelism", cost.parallelism())
        .append("hash", b64.encodeToString(hash));
  }

  public static PasswordHash fromDocument(Document d) {
    if (!ALGORITHM.equals(d.getString("algorithm"))) {
      throw new IllegalStateException("unknown password algorithm");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    return new PasswordHash(
        b64.decode(d.getString("salt")),
        new Argon2id.Cost(
            d.getInteger("memoryKiB"), d.getInteger("iterations"), d.getInteger("parallelism")),
        b64.decode(d.getString("hash")));
  }

  @Override
  public String toString() {
    return "PasswordHash[argon2id]";
  }
}

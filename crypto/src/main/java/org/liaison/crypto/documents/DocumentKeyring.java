package org.liaison.crypto.documents;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A channel's document generations: every generation key {@code DK_g} the channel has had, each
 * named by the epoch {@code g} it was made in. Members read it from the keyring stored for their
 * epoch; a commit that removes a leaf writes the next one with a new generation.
 *
 * <p>Plaintext: {@code {"generations":[{"g":N,"key":"<base64url>"}]}} (docs/documents.md).
 */
public record DocumentKeyring(List<Generation> generations) {
  public record Generation(long g, byte[] key) {
    public Generation {
      if (g < 0) {
        throw new IllegalArgumentException("generation must not be negative");
      }
      if (key.length != DocumentKeys.KEY_LENGTH) {
        throw new IllegalArgumentException("generation keys are 32 bytes");
      }
      key = key.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public String toString() {
      return "Generation[g=" + g + "]";
    }
  }

  public DocumentKeyring {
    List<Generation> sorted = new ArrayList<>(generations);
    sorted.sort(Comparator.comparingLong(Generation::g));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).g() == sorted.get(i - 1).g()) {
        throw new IllegalArgumentException("generation " + sorted.get(i).g() + " appears twice");
      }
    }
    generations = List.copyOf(sorted);
  }

  public static DocumentKeyring empty() {
    return new DocumentKeyring(List.of());
  }

  public Optional<Generation> newest() {
    return generations.isEmpty()
        ? Optional.empty()
        : Optional.of(generations.get(generations.size() - 1));
  }

  public Optional<Generation> generation(long g) {
    return generations.stream().filter(generation -> generation.g() == g).findFirst();
  }

  /** This keyring with a fresh random key for generation {@code g}, newer than all others. */
  public DocumentKeyring withNewGeneration(long g) {
    if (newest().map(newest -> newest.g() >= g).orElse(false)) {
      throw new IllegalArgumentException("generation " + g + " is not newer than the newest");
    }
    List<Generation> next = new ArrayList<>(generations);
    next.add(new Generation(g, DocumentKeys.newGenerationKey()));
    return new DocumentKeyring(next);
  }

  /** Every generation of both keyrings; they must agree on any generation both hold. */
  public DocumentKeyring merge(DocumentKeyring other) {
    List<Generation> merged = new ArrayList<>(generations);
    for (Generation theirs : other.generations) {
      Optional<Generation> ours = generation(theirs.g());
      if (ours.isEmpty()) {
        merged.add(theirs);
      } else if (!java.security.MessageDigest.isEqual(ours.get().key, theirs.key)) {
        throw new DocumentCryptoException(
            DocumentCryptoException.Reason.MALFORMED,
            "two keyrings disagree on generation " + theirs.g());
      }
    }
    return new DocumentKeyring(merged);
  }

  public byte[] encode() {
    StringBuilder json = new StringBuilder("{\"generations\":[");
    for (int i = 0; i < generations.size(); i++) {
      Generation generation = generations.get(i);
      json.append(i == 0 ? "" : ",")
          .append("{\"g\":")
          .append(generation.g())
          .append(",\"key\":\"")
          .append(Base64.getUrlEncoder().withoutPadding().encodeToString(generation.key))
          .append("\"}");
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  public static DocumentKeyring decode(byte[] json) {
    try {
      Object root = MiniJson.parse(new String(json, StandardCharsets.UTF_8));
      if (!(root instanceof Map<?, ?> object
          && object.get("generations") instanceof List<?> list)) {
        throw malformed("a keyring is {\"generations\":[...]}");
      }
      List<Generation> generations = new ArrayList<>();
      for (Object entry : list) {
        if (!(entry instanceof Map<?, ?> fields
            && fields.get("g") instanceof Long g
            && fields.get("key") instanceof String key)) {
          throw malformed("a generation is {\"g\":N,\"key\":\"<base64url>\"}");
        }
        generations.add(new Generation(g, Base64.getUrlDecoder().decode(key)));
      }
      return new DocumentKeyring(generations);
    } catch (IllegalArgumentException e) {
      throw malformed("keyring is malformed: " + e.getMessage());
    }
  }

  /** Seals this keyring for the channel's epoch under that epoch's keyring key. */
  public byte[] seal(byte[] keyringKey, String channelId, long epoch) {
    return DocumentCipher.seal(keyringKey, new DocumentAad.Keyring(channelId, epoch), encode());
  }

  public static DocumentKeyring open(
      byte[] keyringKey, String channelId, long epoch, byte[] sealed) {
    return decode(
        DocumentCipher.open(keyringKey, new DocumentAad.Keyring(channelId, epoch), sealed));
  }

  @Override
  public String toString() {
    return "DocumentKeyring" + generations;
  }

  private static DocumentCryptoException malformed(String message) {
    return new DocumentCryptoException(DocumentCryptoException.Reason.MALFORMED, message);
  }
}

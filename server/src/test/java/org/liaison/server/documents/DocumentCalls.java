package org.liaison.server.documents;

import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;

import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/**
 * The document routes as a client calls them, with sealed-looking bytes: the server cannot open
 * them anyway, so random bytes of the sealed shape (nonce, padded ciphertext, tag) stand in.
 */
final class DocumentCalls {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final java.util.function.Supplier<Api> api;
  final String channel;

  DocumentCalls(ChannelFixture net, String channel) {
    this(net::api, channel);
  }

  private DocumentCalls(java.util.function.Supplier<Api> api, String channel) {
    this.api = api;
    this.channel = channel;
  }

  /** The same calls through another node. */
  DocumentCalls via(Api node) {
    return new DocumentCalls(() -> node, channel);
  }

  /** Random bytes shaped as nonce[12] ‖ AES-GCM of {@code blocks} × 256 bytes ‖ tag[16]. */
  static byte[] sealed(int blocks) {
    byte[] bytes = new byte[12 + 256 * blocks + 16];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  static String signature() {
    byte[] bytes = new byte[64];
    RANDOM.nextBytes(bytes);
    return b64(bytes);
  }

  String base() {
    return "/api/v1/channels/" + channel + "/documents";
  }

  Api.Response create(Person who, long generation) {
    return api.get()
        .post(
            base(),
            who.token(),
            new JsonObject().put("generation", generation).put("header", b64(sealed(1))));
  }

  /** Creates a document and returns its id. */
  String created(Person who) {
    return expect(201, create(who, 0)).json().getString("id");
  }

  Api.Response append(Person who, String document, long clientSeq, byte[] ciphertext) {
    return api.get()
        .post(
            base() + "/" + document + "/updates",
            who.token(),
            new JsonObject()
                .put("generation", 0)
                .put("clientSeq", clientSeq)
                .put("ciphertext", b64(ciphertext))
                .put("signature", signature()));
  }

  Api.Response append(Person who, String document, long clientSeq) {
    return append(who, document, clientSeq, sealed(1));
  }

  Api.Response open(Person who, String document) {
    return api.get().get(base() + "/" + document, who.token());
  }

  Api.Response updates(Person who, String document, long after, int limit) {
    return api.get()
        .get(base() + "/" + document + "/updates?after=" + after + "&limit=" + limit, who.token());
  }

  Api.Response snapshot(Person who, String document, long coversSeq, byte[] ciphertext) {
    return api.get()
        .put(
            base() + "/" + document + "/snapshot",
            who.token(),
            new JsonObject()
                .put("coversSeq", coversSeq)
                .put("generation", 0)
                .put("ciphertext", b64(ciphertext))
                .put("signature", signature()));
  }

  Api.Response addVersion(Person who, String document) {
    return api.get()
        .post(
            base() + "/" + document + "/versions",
            who.token(),
            new JsonObject()
                .put("generation", 0)
                .put("ciphertext", b64(sealed(1)))
                .put("signature", signature()));
  }

  Api.Response versions(Person who, String document) {
    return api.get().get(base() + "/" + document + "/versions", who.token());
  }

  Api.Response putKeyring(Person who, long epoch, byte[] ciphertext) {
    return api.get()
        .put(
            "/api/v1/channels/" + channel + "/document-keyrings/" + epoch,
            who.token(),
            new JsonObject().put("ciphertext", b64(ciphertext)));
  }

  Api.Response keyring(Person who, long epoch) {
    return api.get()
        .get("/api/v1/channels/" + channel + "/document-keyrings/" + epoch, who.token());
  }
}

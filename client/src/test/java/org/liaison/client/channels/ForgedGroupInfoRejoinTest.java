package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.client.channels.AttestedNetwork.await;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.client.LiaisonClient;
import org.liaison.client.channels.AttestedNetwork.City;
import org.liaison.client.channels.AttestedNetwork.Person;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.MlsException;

/**
 * A device that rejoins after a restart takes the channel's GroupInfo from the server, which the
 * client does not trust: here a hostile server (a proxy in front of the real one) flips one byte of
 * the GroupInfo's signature. The real SDK, real server and real bcmls refuse to rejoin from it.
 */
class ForgedGroupInfoRejoinTest {
  @TempDir Path dataDir;
  AttestedNetwork net;
  HttpServer proxy;
  Person officer;
  Person youthWorker;

  @BeforeEach
  void network() throws Exception {
    net = new AttestedNetwork(dataDir);
    City north = net.city("Northam", "NL");
    officer = net.person("Officer Olsen", north, "law-enforcement", 2);
    youthWorker = net.person("Yara Youth", north, "youth-work", 2);
    proxy = forgingProxy(net.server.server().port());
  }

  @AfterEach
  void stop() {
    officer.device().close();
    youthWorker.device().close();
    net.close();
  }

  @Test
  void aRejoinFromAGroupInfoWithAFlippedSignatureByteIsRefused() throws Exception {
    ChannelPolicy policy = new ChannelPolicy(2, new TreeSet<>(Set.of()), 30, false);
    String id =
        await(officer.device().createChannel("case", policy, new ChannelMeta("Case forged", "")));
    await(officer.device().addMembers(id, List.of(youthWorker.id())));
    youthWorker.nextEvent(ChannelEvent.Joined.class, id);
    DeviceKeys keys = youthWorker.device().keys().orElseThrow();
    youthWorker.device().close();

    // The youth worker's device starts again, talking to the hostile server.
    BlockingQueue<ChannelEvent> events = new LinkedBlockingQueue<>();
    LiaisonClient viaProxy =
        LiaisonClient.connect(net.vertx, "http://127.0.0.1:" + proxy.actualPort())
            .withSession(youthWorker.client().session().orElseThrow());
    LiaisonDevice restarted =
        new LiaisonDevice(viaProxy, net.root.publicKey(), AttestedNetwork.OPTIONS)
            .onEvent(events::add);
    await(restarted.resume(keys));
    MlsException refused = assertThrows(MlsException.class, () -> await(restarted.resync(id)));
    assertEquals(MlsException.Reason.INVALID_GROUP_INFO, refused.reason(), refused.getMessage());
    ChannelEvent.Stranded stranded = next(events, ChannelEvent.Stranded.class);
    assertTrue(stranded.reason().contains("signature"), stranded.reason());
    restarted.close();

    // Nothing was committed: the channel is still at the epoch that added her.
    assertEquals(1, await(officer.device().channel(id)).epoch());
  }

  static <E extends ChannelEvent> E next(BlockingQueue<ChannelEvent> events, Class<E> type)
      throws InterruptedException {
    long end = System.nanoTime() + AttestedNetwork.WAIT.toNanos();
    while (System.nanoTime() < end) {
      ChannelEvent e =
          events.poll(end - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + AttestedNetwork.WAIT);
  }

  /**
   * Forwards every HTTP request to the real server and answers with its response, except that a
   * GroupInfo it serves has the last byte (of its signature) flipped.
   */
  HttpServer forgingProxy(int target) throws Exception {
    HttpClient client = net.vertx.createHttpClient();
    HttpServer server =
        net.vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .compose(body -> forward(client, target, request, body))
                        .onFailure(
                            e -> request.response().setStatusCode(502).end(String.valueOf(e))));
    return await(server.listen(0, "127.0.0.1"));
  }

  private static io.vertx.core.Future<Void> forward(
      HttpClient client, int target, HttpServerRequest request, Buffer body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    headers.remove(HttpHeaders.HOST);
    return client
        .request(
            new RequestOptions()
                .setMethod(request.method())
                .setHost("127.0.0.1")
                .setPort(target)
                .setURI(request.uri())
                .setHeaders(headers))
        .compose(out -> out.send(body))
        .compose(
            response ->
                response
                    .body()
                    .compose(
                        answer -> {
                          Buffer sent = answer;
                          if (response.statusCode() == 200
                              && request.path().endsWith("/group-info")) {
                            JsonObject json = answer.toJsonObject();
                            byte[] groupInfo = LiaisonClient.unb64(json.getString("groupInfo"));
                            groupInfo[groupInfo.length - 1] ^= 1;
                            sent = json.put("groupInfo", LiaisonClient.b64(groupInfo)).toBuffer();
                          }
                          String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
                          if (type != null) {
                            request.response().putHeader(HttpHeaders.CONTENT_TYPE, type);
                          }
                          return request.response().setStatusCode(response.statusCode()).end(sent);
                        }));
  }
}

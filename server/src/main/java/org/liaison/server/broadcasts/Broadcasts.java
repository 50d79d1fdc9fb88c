package org.liaison.server.broadcasts;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.liaison.crypto.ConstantTime;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.AttestationException;
import org.liaison.crypto.broadcasts.AuthorProof;
import org.liaison.crypto.broadcasts.BroadcastAck;
import org.liaison.crypto.broadcasts.BroadcastException;
import org.liaison.crypto.broadcasts.BroadcastHeader;
import org.liaison.crypto.broadcasts.BroadcastKeyStatement;
import org.liaison.crypto.broadcasts.BroadcastReminder;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.User;
import org.liaison.server.accounts.UserRepository;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.coordinatorkeys.CoordinatorKeyRequests;
import org.liaison.server.devices.BroadcastKey;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.devices.DeviceRepository.Receiving;
import org.liaison.server.network.NetworkRoot;
import org.liaison.server.store.Store;

/**
 * Broadcasts (docs/broadcasts.md): signed, end-to-end encrypted announcements from coordinators to
 * an audience, with acknowledgements counted once per user. The server checks who may send and to
 * whom, keeps the sealed content and one wrap of its key per recipient device, orders broadcasts in
 * one global run, and never holds a key that opens them.
 */
public final class Broadcasts {
  /** Content up to this size travels in frames and list items; larger is fetched by id. */
  static final int INLINE_CONTENT_BYTES = 64 * 1024;

  /** Devices per page of {@code /broadcasts/recipients}. */
  static final int RECIPIENTS_PAGE = 500;

  /** Slots one {@code GET /broadcasts} walks at most before answering with {@code more}. */
  private static final int SCAN_SLOTS = 2000;

  private static final int SLOT_BATCH = 200;
  private static final int FRAME_CACHE = 64;

  /** Who sends: the signed-in user and the device the session is bound to. */
  public record Sender(User user, String deviceId) {}

  /** What a send carries, parsed by the routes. */
  public record SendRequest(
      String id,
      byte[] header,
      byte[] signature,
      byte[] proofChain,
      byte[] proofCoordinator,
      byte[] content,
      Map<String, BroadcastRepository.Wrap> wraps,
      Optional<String> only) {}

  /** A send's answer: 201 for a new broadcast, 200 for a retry of a stored one. */
  public record Sent(boolean created, JsonObject body) {}

  /** A resend's rule: who of the current audience it goes to. */
  public enum Only {
    UNACKNOWLEDGED,
    NEW;

    public static Only parse(String raw) {
      return switch (raw) {
        case "unacknowledged" -> UNACKNOWLEDGED;
        case "new" -> NEW;
        default -> throw new IllegalArgumentException(raw);
      };
    }

    String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Vertx vertx;
  private final BroadcastRepository repository;
  private final AudienceResolver resolver;
  private final DeviceRepository devices;
  private final CoordinatorKeyRequests coordinatorKeys;
  private final NetworkRoot root;
  private final AuditLog audit;
  private final BroadcastNotices notices;
  private final Clock clock;
  private final int maxContentBytes;
  private final Duration reminderGap;
  private final Map<String, JsonObject> frames =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, JsonObject> eldest) {
              return size() > FRAME_CACHE;
            }
          });

  public Broadcasts(
      Vertx vertx,
      Store store,
      UserRepository users,
      DeviceRepository devices,
      CoordinatorKeyRequests coordinatorKeys,
      NetworkRoot root,
      AuditLog audit,
      Clock clock,
      int maxContentBytes,
      int reminderMinMinutes) {
    this.vertx = vertx;
    this.repository = new BroadcastRepository(store);
    this.resolver = new AudienceResolver(users, devices);
    this.devices = devices;
    this.coordinatorKeys = coordinatorKeys;
    this.root = root;
    this.audit = audit;
    this.notices = new BroadcastNotices(vertx);
    this.clock = clock;
    this.maxContentBytes = maxContentBytes;
    this.reminderGap = Duration.ofMinutes(reminderMinMinutes);
  }

  public int maxContentBytes() {
    return maxContentBytes;
  }

  /** The global number of the newest broadcast: the {@code ready} frame's broadcastHead. */
  public Future<Long> head() {
    return repository.head();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  static ApiError notFound() {
    return ApiError.notFound("broadcast-not-found", "No such announcement");
  }

  static ApiError badSignature(String what) {
    return new ApiError(403, "bad-signature", "The " + what + " signature does not verify");
  }

  static ApiError invalid(String reason, String message) {
    return new ApiError(422, "broadcast-invalid", message, new JsonObject().put("reason", reason));
  }

  // ---- broadcast keys -------------------------------------------------------------------------

  /**
   * Stores a device's broadcast-key statement after checking it under the device's signature key:
   * only the owner, for a device not revoked. 422 broadcast-key-invalid when it does not verify.
   */
  public Future<JsonObject> publishKey(
      User user, String deviceId, byte[] publicKey, long validFrom, byte[] signature) {
    return devices
        .receivingById(deviceId)
        .compose(
            found -> {
              Receiving device =
                  found
                      .filter(r -> r.device().userId().equals(user.id()))
                      .orElseThrow(ApiError::deviceNotFound);
              if (device.device().status() == org.liaison.server.devices.DeviceStatus.REVOKED) {
                throw ApiError.deviceRevoked();
              }
              BroadcastKeyStatement statement =
                  new BroadcastKeyStatement(deviceId, user.id(), publicKey, validFrom);
              if (!statement.verify(device.device().signatureKey(), signature)) {
                throw new ApiError(
                    422,
                    "broadcast-key-invalid",
                    "The broadcast key statement is not signed by this device's key");
              }
              BroadcastKey key = new BroadcastKey(publicKey, validFrom, signature);
              return repository
                  .head()
                  .compose(head -> devices.setBroadcastKey(deviceId, key, head))
                  .map(
                      stored -> {
                        if (!stored) {
                          throw ApiError.deviceRevoked();
                        }
                        return key.toJson().put("deviceId", deviceId);
                      });
            });
  }

  // ---- who may send -----------------------------------------------------------------------------

  /** The authoring rule ({@link AccessRules#requireMayBroadcast}) for this sender and cities. */
  private Future<Receiving> requireAuthor(Sender sender, List<String> cities) {
    return Future.all(
            coordinatorKeys.signedAttestation(sender.user().id()),
            devices.receivingById(sender.deviceId()))
        .map(
            all -> {
              Optional<byte[]> key = all.resultAt(0);
              Optional<Receiving> device = all.resultAt(1);
              AccessRules.requireMayBroadcast(
                  sender.user(),
                  cities,
                  key.isPresent(),
                  device.map(d -> d.device().active()).orElse(false));
              return device.orElseThrow();
            });
  }

  // ---- audience and recipients ----------------------------------------------------------------

  /** The audience now, with a resend's rule applied. */
  private Future<AudienceResolver.Resolved> resolve(
      Sender sender, Audience audience, Optional<String> resendOf, Optional<Only> only) {
    Future<AudienceResolver.Resolved> resolved = resolver.resolve(audience);
    if (resendOf.isEmpty()) {
      return resolved;
    }
    Only rule =
        only.orElseThrow(() -> ApiError.invalidField("only", "only is required with resendOf"));
    return resolved.compose(
        r ->
            original(sender, resendOf.get())
                .compose(original -> excluded(original, rule, r.users().keySet()))
                .map(r::without));
  }

  /** The broadcast a resend refers to, which must be the sender's own. */
  private Future<BroadcastRecord> original(Sender sender, String resendOf) {
    return repository
        .byId(resendOf)
        .map(
            found ->
                found
                    .filter(b -> b.n() > 0 && b.authorUserId().equals(sender.user().id()))
                    .orElseThrow(
                        () ->
                            new ApiError(
                                404,
                                "broadcast-not-found",
                                "No announcement of yours to send again",
                                new JsonObject().put("field", "resendOf"))));
  }

  /**
   * Who a resend leaves out: those who acknowledged the original ({@code unacknowledged}), or those
   * the original or an earlier resend of it already reached ({@code new}).
   */
  private Future<Set<String>> excluded(BroadcastRecord original, Only rule, Set<String> audience) {
    String rootId = original.original();
    if (rule == Only.UNACKNOWLEDGED) {
      return repository.acks(rootId, audience).map(found -> new HashSet<>(found.keySet()));
    }
    return repository
        .family(rootId)
        .compose(ids -> repository.byIdsWithoutContent(ids))
        .compose(
            family -> {
              List<Future<List<BroadcastRepository.RecipientUser>>> reads = new ArrayList<>();
              for (BroadcastRecord member : family) {
                reads.add(repository.allRecipients(member.id(), member.pages()));
              }
              return Future.all(new ArrayList<>(reads))
                  .map(
                      v -> {
                        Set<String> reached = new HashSet<>();
                        reads.forEach(r -> r.result().forEach(u -> reached.add(u.userId())));
                        return reached;
                      });
            });
  }

  /**
   * {@code {users, devices, perCity: [{cityId, users}], withoutKey}} for an audience (and a
   * resend's rule): what the author sees before sending.
   */
  public Future<JsonObject> audience(
      Sender sender, Audience audience, Optional<String> resendOf, Optional<Only> only) {
    return requireAuthor(sender, audience.cities())
        .compose(d -> resolve(sender, audience, resendOf, only))
        .map(
            r -> {
              JsonArray perCity = new JsonArray();
              r.perCity()
                  .forEach(
                      (city, users) ->
                          perCity.add(new JsonObject().put("cityId", city).put("users", users)));
              return new JsonObject()
                  .put("users", r.users().size())
                  .put("devices", r.deviceCount())
                  .put("perCity", perCity)
                  .put("withoutKey", r.withoutKey());
            });
  }

  /**
   * A page of the devices to wrap to, sorted by device id, with what the author's client verifies:
   * the attestation chain, the signature key and the signed broadcast key; and once per page the
   * distinct coordinator links of those chains.
   */
  public Future<JsonObject> recipients(
      Sender sender, Audience audience, Optional<String> resendOf, Optional<Only> only, int page) {
    return requireAuthor(sender, audience.cities())
        .compose(d -> resolve(sender, audience, resendOf, only))
        .map(
            r -> {
              List<Receiving> all = new ArrayList<>(r.devices().values());
              int from = page * RECIPIENTS_PAGE;
              int to = Math.min(all.size(), from + RECIPIENTS_PAGE);
              JsonArray items = new JsonArray();
              Map<String, String> coordinators = new TreeMap<>();
              for (int i = from; i < to; i++) {
                Receiving device = all.get(i);
                User user = r.users().get(device.device().userId());
                byte[] chain = device.device().attestation().orElseThrow();
                items.add(
                    new JsonObject()
                        .put("userId", user.id())
                        .put("deviceId", device.device().id())
                        .put("cityId", user.cityId())
                        .put("sector", user.sector().wire())
                        .put("tier", user.tier().name())
                        .put("signatureKey", Base64Field.encode(device.device().signatureKey()))
                        .put("attestation", Base64Field.encode(chain))
                        .put("broadcastKey", device.broadcastKey().orElseThrow().toJson()));
                coordinatorLink(chain).ifPresent(link -> coordinators.put(link, link));
              }
              return new JsonObject()
                  .put("items", items)
                  .put("coordinators", new JsonArray(new ArrayList<>(coordinators.keySet())))
                  .put("page", page)
                  .put("total", all.size())
                  .put("next", to < all.size() ? page + 1 : null);
            });
  }

  /** The coordinator link of a root → coordinator → device chain, base64url; empty otherwise. */
  private static Optional<String> coordinatorLink(byte[] chain) {
    try {
      AttestationChain decoded = AttestationChain.decode(chain);
      return decoded.links().size() == 2
          ? Optional.of(Base64Field.encode(decoded.links().get(0).encode()))
          : Optional.empty();
    } catch (AttestationException e) {
      return Optional.empty();
    }
  }

  // ---- send -------------------------------------------------------------------------------------

  /** Checks everything docs/broadcasts.md lists for a send, stores it, and fans it out. */
  public Future<Sent> send(Sender sender, SendRequest request) {
    BroadcastHeader header;
    try {
      header = BroadcastHeader.decode(request.header());
    } catch (BroadcastException e) {
      throw invalid("MALFORMED", "The header does not decode");
    }
    if (!header.idHex().equals(request.id())
        || !header.authorUserId().equals(sender.user().id())
        || !header.authorDeviceId().equals(sender.deviceId())) {
      throw invalid(
          "AUTHOR_MISMATCH", "The header names another id, author or device than this request");
    }
    if (request.content().length > maxContentBytes) {
      throw new ApiError(
          413,
          "broadcast-too-large",
          "The announcement's content must be at most " + maxContentBytes + " bytes",
          new JsonObject().put("field", "content"));
    }
    if (request.content().length < 28 + 256 || (request.content().length - 28) % 256 != 0) {
      throw invalid("CONTENT_SHAPE", "The content is not sealed as announcements are");
    }
    if (!ConstantTime.equal(
        org.liaison.crypto.Digests.sha256().digest(request.content()), header.contentHash())) {
      throw invalid("CONTENT_HASH", "The content does not match the header's hash");
    }
    Optional<String> resendOf = header.resendOfHex();
    Optional<Only> only = request.only().map(Only::parse);
    if (resendOf.isEmpty() && only.isPresent()) {
      throw ApiError.invalidField("only", "only goes with a header that sends again (resendOf)");
    }
    Audience audience = new Audience(header.cities(), header.sectors(), header.minTier());
    return requireAuthor(sender, audience.cities())
        .compose(
            device ->
                repository
                    .byId(request.id())
                    .compose(
                        stored -> {
                          if (stored.isPresent()) {
                            return retried(stored.get(), request);
                          }
                          if (!BroadcastHeader.verify(
                              device.device().signatureKey(),
                              request.header(),
                              request.signature())) {
                            throw badSignature("header");
                          }
                          return root.requireKey()
                              .compose(
                                  rootKey -> {
                                    checkProof(rootKey, header, device, request);
                                    return resolve(sender, audience, resendOf, only);
                                  })
                              .compose(
                                  resolved ->
                                      store(sender, request, header, audience, only, resolved));
                        }));
  }

  private void checkProof(
      byte[] rootKey, BroadcastHeader header, Receiving device, SendRequest request) {
    AuthorProof proof;
    try {
      proof = AuthorProof.decode(request.proofChain(), request.proofCoordinator());
    } catch (BroadcastException e) {
      throw invalid("MALFORMED", "The author proof does not decode");
    }
    try {
      proof.verify(rootKey, header, device.device().signatureKey(), clock.instant());
    } catch (BroadcastException e) {
      throw invalid(e.reason().name(), "The author proof does not verify");
    }
  }

  /** A send with an id stored already: the same header is a retry (200), another is 409. */
  private Future<Sent> retried(BroadcastRecord stored, SendRequest request) {
    if (!java.util.Arrays.equals(stored.header(), request.header())) {
      throw ApiError.conflict(
          "broadcast-exists", "Another announcement was sent with this id; make a new one");
    }
    Future<Long> n =
        stored.n() > 0
            ? Future.succeededFuture(stored.n())
            : finish(stored); // an earlier attempt stopped before it took its number
    return n.map(number -> new Sent(false, sentBody(stored, number)));
  }

  private static JsonObject sentBody(BroadcastRecord record, long n) {
    return new JsonObject()
        .put("id", record.id())
        .put("n", n)
        .put("recipients", record.users())
        .put("devices", record.devices())
        .put("missing", record.missing());
  }

  private Future<Sent> store(
      Sender sender,
      SendRequest request,
      BroadcastHeader header,
      Audience audience,
      Optional<Only> only,
      AudienceResolver.Resolved resolved) {
    Map<String, Receiving> receiving = resolved.devices();
    Map<String, BroadcastRepository.RecipientUser> users = new LinkedHashMap<>();
    for (Map.Entry<String, BroadcastRepository.Wrap> wrap : request.wraps().entrySet()) {
      Receiving device = receiving.get(wrap.getKey());
      if (device == null) {
        throw outside(wrap.getKey(), resolved);
      }
      User user = resolved.users().get(device.device().userId());
      users
          .computeIfAbsent(
              user.id(),
              id -> new BroadcastRepository.RecipientUser(id, user.cityId(), new HashMap<>()))
          .devices()
          .put(wrap.getKey(), wrap.getValue());
    }
    Map<String, Integer> perCity = new TreeMap<>();
    users
        .values()
        .forEach(u -> perCity.merge(BroadcastRecord.cityKey(u.cityId()), 1, Integer::sum));
    int pages = BroadcastRepository.pagesFor(users.size());
    Optional<String> resendOf = header.resendOfHex();
    Future<String> original =
        resendOf.isEmpty()
            ? Future.succeededFuture(request.id())
            : repository
                .byId(resendOf.get())
                .map(o -> o.map(BroadcastRecord::original).orElse(resendOf.get()));
    return original.compose(
        originalId -> {
          BroadcastRecord record =
              new BroadcastRecord(
                  request.id(),
                  0,
                  sender.user().id(),
                  sender.deviceId(),
                  audience,
                  request.header(),
                  request.signature(),
                  request.proofChain(),
                  request.proofCoordinator(),
                  request.content(),
                  header.contentHash(),
                  now(),
                  resendOf,
                  originalId,
                  only.map(Only::wire),
                  pages,
                  users.size(),
                  request.wraps().size(),
                  receiving.size() - request.wraps().size(),
                  perCity,
                  List.of(),
                  Map.of());
          return repository
              .writePages(request.id(), pages, users.values())
              .compose(v -> repository.insert(record))
              .compose(
                  inserted -> {
                    if (!inserted) {
                      // The same send arrived twice at once: answer as its retry.
                      return repository
                          .byId(request.id())
                          .compose(stored -> retried(stored.orElseThrow(), request));
                    }
                    return finish(record)
                        .compose(
                            n ->
                                audit
                                    .append(
                                        sender.user().id(),
                                        "broadcast.sent",
                                        request.id(),
                                        sender.user().cityId(),
                                        Map.of(
                                            "recipients", String.valueOf(users.size()),
                                            "audience", audience.toJson().encode()))
                                    .map(e -> new Sent(true, sentBody(record, n))));
                  });
        });
  }

  /** Takes the broadcast's number, lists it as sent, and fans it out. */
  private Future<Long> finish(BroadcastRecord record) {
    Context context = vertx.getOrCreateContext();
    return repository
        .takeSlot(record.id(), record.pages())
        .compose(n -> repository.setNumber(record.id(), n).map(n))
        .compose(n -> repository.addSent(record.authorUserId(), record.id()).map(n))
        .compose(
            n ->
                record.resendOf().isEmpty()
                    ? Future.succeededFuture(n)
                    : repository.addResend(record.original(), record.id()).map(n))
        .compose(
            n ->
                repository
                    .allRecipients(record.id(), record.pages())
                    .map(
                        recipients -> {
                          notices.published(n, record.id(), recipients, context);
                          return n;
                        }));
  }

  /** 422 recipient-outside-audience naming the device and why. */
  private static ApiError outside(String deviceId, AudienceResolver.Resolved resolved) {
    String reason =
        resolved.everyReceiving().contains(deviceId) ? "not-in-audience" : "device-cannot-receive";
    return new ApiError(
        422,
        "recipient-outside-audience",
        "A wrap names a device that is not in this announcement's audience",
        new JsonObject().put("deviceId", deviceId).put("reason", reason));
  }

  // ---- reading ----------------------------------------------------------------------------------

  /**
   * Broadcasts after {@code after} that hold a wrap for this device, oldest first: each with its
   * header, proof, wrap, whether its user acknowledged, and its content when small.
   */
  public Future<JsonObject> list(Sender sender, long after, int limit) {
    return devices
        .receivingById(sender.deviceId())
        .compose(
            device -> {
              long from = Math.max(after, device.map(Receiving::broadcastFrom).orElse(0L));
              return scan(sender, from, limit, new ArrayList<>(), 0);
            });
  }

  private Future<JsonObject> scan(
      Sender sender,
      long after,
      int limit,
      List<Map.Entry<BroadcastRepository.Slot, BroadcastRepository.Wrap>> found,
      int scanned) {
    return repository
        .slots(after + 1, SLOT_BATCH)
        .compose(
            slots ->
                repository
                    .recipientIn(slots.stream().filter(s -> !s.gone()).toList(), sender.user().id())
                    .compose(
                        mine -> {
                          long last = after;
                          for (BroadcastRepository.Slot slot : slots) {
                            if (found.size() == limit) {
                              break;
                            }
                            last = slot.n();
                            BroadcastRepository.RecipientUser entry = mine.get(slot.id());
                            if (entry != null && entry.devices().containsKey(sender.deviceId())) {
                              found.add(Map.entry(slot, entry.devices().get(sender.deviceId())));
                            }
                          }
                          int total = scanned + slots.size();
                          boolean full = found.size() == limit;
                          boolean end = slots.size() < SLOT_BATCH;
                          if (!full && !end && total < SCAN_SLOTS) {
                            return scan(sender, last, limit, found, total);
                          }
                          long next = last;
                          long lastSlot = slots.isEmpty() ? after : slots.get(slots.size() - 1).n();
                          boolean more = !end || last < lastSlot;
                          return items(sender, found)
                              .map(
                                  items ->
                                      new JsonObject()
                                          .put("items", items)
                                          .put("next", next)
                                          .put("more", more));
                        }));
  }

  private Future<JsonArray> items(
      Sender sender, List<Map.Entry<BroadcastRepository.Slot, BroadcastRepository.Wrap>> found) {
    List<String> ids = found.stream().map(e -> e.getKey().id()).toList();
    return Future.all(repository.byIds(ids, false), repository.acksOfUser(ids, sender.user().id()))
        .map(
            all -> {
              List<BroadcastRecord> records = all.resultAt(0);
              Map<String, BroadcastRepository.Ack> acks = all.resultAt(1);
              Map<String, BroadcastRecord> byId = new HashMap<>();
              records.forEach(r -> byId.put(r.id(), r));
              JsonArray items = new JsonArray();
              for (var entry : found) {
                BroadcastRecord record = byId.get(entry.getKey().id());
                if (record == null) {
                  continue;
                }
                items.add(recipientView(record, entry.getValue(), acks.get(record.id())));
              }
              return items;
            });
  }

  private static JsonObject recipientView(
      BroadcastRecord record, BroadcastRepository.Wrap wrap, BroadcastRepository.Ack ack) {
    JsonObject json =
        record
            .shared(record.content().length <= INLINE_CONTENT_BYTES)
            .put("wrap", BroadcastNotices.wrapJson(wrap))
            .put("acknowledged", ack != null);
    if (ack != null) {
      json.put("ackedAt", ack.ackedAt());
    }
    return json;
  }

  /** One broadcast: to a recipient device with its wrap, to the author; 404 to anyone else. */
  public Future<JsonObject> get(Sender sender, String id) {
    return published(id)
        .compose(
            record ->
                wrapOf(record, sender)
                    .compose(
                        wrap -> {
                          boolean author = record.authorUserId().equals(sender.user().id());
                          if (wrap.isEmpty() && !author) {
                            throw notFound();
                          }
                          return repository
                              .acksOfUser(List.of(id), sender.user().id())
                              .map(
                                  acks -> {
                                    JsonObject json = record.shared(true);
                                    wrap.ifPresent(
                                        w -> json.put("wrap", BroadcastNotices.wrapJson(w)));
                                    BroadcastRepository.Ack ack = acks.get(id);
                                    json.put("acknowledged", ack != null);
                                    if (ack != null) {
                                      json.put("ackedAt", ack.ackedAt());
                                    }
                                    if (author) {
                                      json.put("audience", record.audience().toJson());
                                    }
                                    return json;
                                  });
                        }));
  }

  private Future<BroadcastRecord> published(String id) {
    return repository
        .byId(id)
        .map(found -> found.filter(r -> r.n() > 0).orElseThrow(Broadcasts::notFound));
  }

  /** This device's wrap of the broadcast, if it is a recipient device. */
  private Future<Optional<BroadcastRepository.Wrap>> wrapOf(BroadcastRecord record, Sender sender) {
    BroadcastRepository.Slot slot =
        new BroadcastRepository.Slot(record.n(), record.id(), record.pages(), false);
    return repository
        .recipientIn(List.of(slot), sender.user().id())
        .map(
            found ->
                Optional.ofNullable(found.get(record.id()))
                    .map(u -> u.devices().get(sender.deviceId())));
  }

  /** The frame a recipient device gets, without its wrap: built once per node and kept. */
  public Future<JsonObject> frame(String id) {
    JsonObject cached = frames.get(id);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return published(id)
        .map(
            record -> {
              JsonObject frame =
                  record
                      .shared(record.content().length <= INLINE_CONTENT_BYTES)
                      .put("type", "broadcast");
              frames.put(id, frame);
              return frame;
            });
  }

  // ---- acknowledgements ---------------------------------------------------------------------

  /**
   * A recipient device acknowledges, signed; counted once per user (the insert of {@code
   * <id>:<userId>} is the compare-and-set). The HTTP route and the realtime frame both come here.
   * Returns whether the user had acknowledged before.
   */
  public Future<Boolean> acknowledge(Sender sender, String id, long ackedAt, byte[] signature) {
    return published(id)
        .compose(
            record ->
                Future.all(wrapOf(record, sender), devices.receivingById(sender.deviceId()))
                    .compose(
                        all -> {
                          Optional<BroadcastRepository.Wrap> wrap = all.resultAt(0);
                          Optional<Receiving> device = all.resultAt(1);
                          if (wrap.isEmpty() || device.isEmpty()) {
                            throw notFound();
                          }
                          BroadcastAck ack =
                              new BroadcastAck(
                                  HexFormat.of().parseHex(id),
                                  record.contentHash(),
                                  sender.user().id(),
                                  sender.deviceId(),
                                  ackedAt);
                          if (!ack.verify(device.get().device().signatureKey(), signature)) {
                            throw badSignature("acknowledgement");
                          }
                          BroadcastRepository.Ack stored =
                              new BroadcastRepository.Ack(
                                  sender.user().id(),
                                  sender.deviceId(),
                                  ackedAt,
                                  signature,
                                  now(),
                                  Optional.empty());
                          return count(record, sender.user().cityId(), stored)
                              .compose(
                                  fresh -> {
                                    if (fresh && record.isResend()) {
                                      return alsoOnOriginal(record, sender, stored).map(true);
                                    }
                                    return Future.succeededFuture(fresh);
                                  })
                              .map(
                                  fresh -> {
                                    if (fresh) {
                                      notices.acked(sender.user().id(), id);
                                    }
                                    return !fresh;
                                  });
                        }));
  }

  /** Inserts the acknowledgement; a new one raises the city's hint and tells the author. */
  private Future<Boolean> count(
      BroadcastRecord record, String cityId, BroadcastRepository.Ack ack) {
    String cityKey = BroadcastRecord.cityKey(cityId);
    return repository
        .insertAck(record.id(), cityKey, ack)
        .compose(
            fresh -> {
              if (!fresh) {
                return Future.succeededFuture(false);
              }
              return repository
                  .countAck(record.id(), cityKey)
                  .map(
                      updated -> {
                        updated.ifPresent(
                            b ->
                                notices.progress(
                                    b.authorUserId(), b.id(), b.users(), b.acknowledgedHint()));
                        return true;
                      });
            });
  }

  /** An acknowledgement of a resend counts on the original too, for its recipients. */
  private Future<Void> alsoOnOriginal(
      BroadcastRecord resend, Sender sender, BroadcastRepository.Ack ack) {
    return repository
        .byId(resend.original())
        .compose(
            found -> {
              if (found.isEmpty() || found.get().n() == 0) {
                return Future.succeededFuture();
              }
              BroadcastRecord original = found.get();
              BroadcastRepository.Slot slot =
                  new BroadcastRepository.Slot(
                      original.n(), original.id(), original.pages(), false);
              return repository
                  .recipientIn(List.of(slot), sender.user().id())
                  .compose(
                      entry -> {
                        BroadcastRepository.RecipientUser user = entry.get(original.id());
                        if (user == null) {
                          return Future.succeededFuture();
                        }
                        return count(
                                original,
                                user.cityId(),
                                new BroadcastRepository.Ack(
                                    ack.userId(),
                                    ack.deviceId(),
                                    ack.ackedAt(),
                                    ack.signature(),
                                    ack.receivedAt(),
                                    Optional.of(resend.id())))
                            .mapEmpty();
                      });
            });
  }

  // ---- the author's views -------------------------------------------------------------------

  /**
   * Exact counts from the acknowledgements themselves (the hint on the broadcast may lag), per
   * city, and one page of recipients with who acknowledged: for the author and network admins.
   */
  public Future<JsonObject> status(Sender sender, String id, int page) {
    return published(id)
        .compose(
            record -> {
              if (!record.authorUserId().equals(sender.user().id())
                  && !AccessRules.isAdmin(sender.user())) {
                throw notFound();
              }
              return repository
                  .allRecipients(record.id(), record.pages())
                  .compose(
                      recipients ->
                          repository
                              .acks(
                                  record.id(),
                                  recipients.stream()
                                      .map(BroadcastRepository.RecipientUser::userId)
                                      .toList())
                              .map(acks -> statusJson(record, recipients, acks, page)));
            });
  }

  private static JsonObject statusJson(
      BroadcastRecord record,
      List<BroadcastRepository.RecipientUser> recipients,
      Map<String, BroadcastRepository.Ack> acks,
      int page) {
    Map<String, int[]> perCity = new TreeMap<>();
    for (BroadcastRepository.RecipientUser user : recipients) {
      int[] counts =
          perCity.computeIfAbsent(BroadcastRecord.cityKey(user.cityId()), k -> new int[2]);
      counts[0]++;
      if (acks.containsKey(user.userId())) {
        counts[1]++;
      }
    }
    JsonArray cities = new JsonArray();
    perCity.forEach(
        (city, counts) ->
            cities.add(
                new JsonObject()
                    .put("cityId", BroadcastRecord.cityOf(city))
                    .put("users", counts[0])
                    .put("acknowledged", counts[1])));
    List<BroadcastRepository.RecipientUser> onPage =
        recipients.stream()
            .filter(u -> BroadcastRepository.pageOf(u.userId(), record.pages()) == page)
            .toList();
    JsonArray items = new JsonArray();
    for (BroadcastRepository.RecipientUser user : onPage) {
      JsonObject item = new JsonObject().put("userId", user.userId()).put("cityId", user.cityId());
      BroadcastRepository.Ack ack = acks.get(user.userId());
      if (ack != null) {
        item.put("ackedAt", ack.ackedAt())
            .put("deviceId", ack.deviceId())
            .put("signature", Base64Field.encode(ack.signature()))
            .put("receivedAt", ack.receivedAt().toString());
        ack.via().ifPresent(via -> item.put("via", via));
      }
      items.add(item);
    }
    return new JsonObject()
        .put("id", record.id())
        .put("recipients", recipients.size())
        .put(
            "acknowledged",
            (int) recipients.stream().filter(u -> acks.containsKey(u.userId())).count())
        .put("perCity", cities)
        .put("items", items)
        .put("page", page)
        .put("next", page + 1 < record.pages() ? page + 1 : null);
  }

  /**
   * The author's broadcasts, newest first, with counts at the send and the acknowledgement hint.
   */
  public Future<JsonObject> sent(Sender sender) {
    return repository
        .sentBy(sender.user().id())
        .compose(repository::byIdsWithoutContent)
        .map(
            records ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(
                            records.stream()
                                .filter(r -> r.n() > 0)
                                .sorted((a, b) -> Long.compare(b.n(), a.n()))
                                .map(BroadcastRecord::sentSummary)
                                .toList())));
  }

  // ---- reminders ----------------------------------------------------------------------------

  /**
   * The author reminds those who have not acknowledged: reminder {@code n} (the previous one + 1),
   * signed by the author device, at most once per {@code broadcasts.reminderMinMinutes}.
   */
  public Future<JsonObject> remind(Sender sender, String id, int n, long at, byte[] signature) {
    return published(id)
        .compose(
            record -> {
              if (!record.authorUserId().equals(sender.user().id())) {
                throw notFound();
              }
              int expected = record.reminders().size() + 1;
              if (n != expected) {
                throw new ApiError(
                    409,
                    "reminder-out-of-order",
                    "The next reminder of this announcement is number " + expected,
                    new JsonObject().put("expected", expected));
              }
              Instant now = now();
              if (!record.reminders().isEmpty()) {
                Instant allowed =
                    record
                        .reminders()
                        .get(record.reminders().size() - 1)
                        .receivedAt()
                        .plus(reminderGap);
                if (now.isBefore(allowed)) {
                  long seconds = Math.max(1, Duration.between(now, allowed).toSeconds());
                  throw new ApiError(
                      429,
                      "rate-limited",
                      "A reminder was sent recently; try again in " + seconds + " seconds",
                      new JsonObject().put("retryAfterSeconds", seconds));
                }
              }
              return devices
                  .receivingById(record.authorDeviceId())
                  .compose(
                      author -> {
                        byte[] key =
                            author
                                .map(r -> r.device().signatureKey())
                                .orElseThrow(Broadcasts::notFound);
                        BroadcastReminder reminder =
                            new BroadcastReminder(HexFormat.of().parseHex(id), n, at);
                        if (!reminder.verify(key, signature)) {
                          throw badSignature("reminder");
                        }
                        BroadcastRecord.Reminder stored =
                            new BroadcastRecord.Reminder(n, at, signature, now);
                        return repository
                            .addReminder(id, stored)
                            .compose(
                                added -> {
                                  if (!added) {
                                    throw new ApiError(
                                        409,
                                        "reminder-out-of-order",
                                        "Another reminder was sent meanwhile",
                                        new JsonObject().put("expected", expected + 1));
                                  }
                                  frames.remove(id);
                                  return remindUnacknowledged(record, stored);
                                });
                      });
            });
  }

  private Future<JsonObject> remindUnacknowledged(
      BroadcastRecord record, BroadcastRecord.Reminder reminder) {
    return repository
        .allRecipients(record.id(), record.pages())
        .compose(
            recipients -> {
              List<String> ids =
                  recipients.stream().map(BroadcastRepository.RecipientUser::userId).toList();
              return repository
                  .acks(record.id(), ids)
                  .map(
                      acks -> {
                        int reminded = 0;
                        for (String userId : ids) {
                          if (!acks.containsKey(userId)) {
                            notices.reminder(userId, record.id(), reminder);
                            reminded++;
                          }
                        }
                        return new JsonObject()
                            .put("id", record.id())
                            .put("n", reminder.n())
                            .put("at", reminder.at())
                            .put("reminded", reminded);
                      });
            });
  }
}

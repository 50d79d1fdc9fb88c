package org.liaison.server.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;
import static org.liaison.server.testing.ChannelFixture.policyJson;
import static org.liaison.server.testing.ChannelFixture.unb64;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/**
 * The GroupInfo the delivery service keeps is what devices rejoin from: it must verify (signature
 * under its signer's leaf in its own ratchet tree) and be signed by the device that posts it. Real
 * server, real bcmls; the forgeries are one flipped byte or another member's genuine GroupInfo.
 */
class GroupInfoVerificationTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Person officer;
  Person youthWorker;
  Person caseManager;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
    officer = net.person("Officer Hadzic", "law-enforcement", 2, 5);
    youthWorker = net.person("Lejla Youth", "youth-work", 2, 5);
    caseManager = net.person("Case Manager", "municipality", 2, 5);
  }

  @AfterEach
  void close() {
    net.close();
  }

  /** The GroupInfo ends with its signature: opaque signature<V>, varint 64 (0x4040), 64 bytes. */
  static byte[] flipSignatureByte(byte[] groupInfo) {
    byte[] forged = groupInfo.clone();
    assertEquals(0x40, forged[forged.length - 66] & 0xFF, "signature length prefix");
    assertEquals(0x40, forged[forged.length - 65] & 0xFF, "signature length prefix");
    forged[forged.length - 1] ^= 1;
    return forged;
  }

  static void refused(Api.Response response, String reason) {
    assertEquals(400, response.status(), response.toString());
    assertEquals("malformed-mls", response.errorCode());
    JsonObject details = response.json().getJsonObject("error").getJsonObject("details");
    assertEquals(reason, details.getString("reason"), response.toString());
  }

  Api.Response create(Person who, ChannelGroupId groupId, ChannelPolicy policy, byte[] groupInfo) {
    return net.api()
        .post(
            "/api/v1/channels",
            who.token(),
            new JsonObject()
                .put("groupId", b64(groupId.encode()))
                .put("kind", "case")
                .put("policy", policyJson(policy))
                .put("groupInfo", b64(groupInfo)));
  }

  Api.Response postCommit(Person who, String channel, long epoch, byte[] commit, byte[] info) {
    return net.api()
        .post(
            "/api/v1/channels/" + channel + "/commits",
            who.token(),
            new JsonObject()
                .put("epoch", epoch)
                .put("commit", b64(commit))
                .put("groupInfo", b64(info)));
  }

  byte[] storedGroupInfo(Person who, String channel) {
    return unb64(
        expect(200, net.api().get("/api/v1/channels/" + channel + "/group-info", who.token()))
            .json()
            .getString("groupInfo"));
  }

  @Test
  void aChannelWhoseGroupInfoSignatureDoesNotVerifyIsNotCreated() {
    ChannelPolicy policy = policy(2, 90);
    ChannelGroupId groupId = ChannelGroupId.create(policy);
    ChannelSession session = ChannelSession.create(officer.identity, groupId.encode(), net.trust());
    refused(
        create(officer, groupId, policy, flipSignatureByte(session.groupInfo())),
        "INVALID_GROUP_INFO");
    expect(201, create(officer, groupId, policy, session.groupInfo()));
  }

  @Test
  void aChannelWhoseGroupInfoAnotherDeviceSignedIsNotCreated() {
    ChannelPolicy policy = policy(2, 90);
    ChannelGroupId groupId = ChannelGroupId.create(policy);
    ChannelSession theirs =
        ChannelSession.create(youthWorker.identity, groupId.encode(), net.trust());
    refused(create(officer, groupId, policy, theirs.groupInfo()), "GROUP_INFO_SIGNER");
  }

  @Test
  void aCommitWhoseGroupInfoSignatureDoesNotVerifyIsRefused() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker, caseManager);
    ChannelSession.PendingCommit update = officer.sessions.get(channel).update();
    refused(
        postCommit(
            officer, channel, 1, update.commit(), flipSignatureByte(update.next().groupInfo())),
        "INVALID_GROUP_INFO");
    // Nothing stored: the channel is still at epoch 1, and the signed one goes through.
    assertEquals(
        1,
        expect(200, net.api().get("/api/v1/channels/" + channel, officer.token()))
            .json()
            .getLong("epoch"));
    expect(201, officer.commit(channel, update));
    assertArrayEquals(update.next().groupInfo(), storedGroupInfo(youthWorker, channel));
  }

  @Test
  void aCommitWithAGroupInfoAnotherMemberSignedIsRefused() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker, caseManager);
    ChannelSession.PendingCommit update = officer.sessions.get(channel).update();
    // The youth worker's own, genuine GroupInfo of the very epoch the officer's commit opens.
    ChannelSession hers = youthWorker.sessions.get(channel).handleCommit(update.commit());
    assertArrayEquals(update.next().epochAuthenticator(), hers.epochAuthenticator());
    refused(
        postCommit(officer, channel, 1, update.commit(), hers.groupInfo()), "GROUP_INFO_SIGNER");
  }

  @Test
  void aRejoinWhoseGroupInfoSignatureDoesNotVerifyIsRefused() {
    String channel = officer.createChannel(policy(2, 90), "case");
    officer.add(channel, youthWorker, caseManager);
    ChannelSession.PendingCommit rejoin =
        ChannelSession.resync(
            youthWorker.identity, storedGroupInfo(youthWorker, channel), net.trust());
    refused(
        postCommit(
            youthWorker, channel, 1, rejoin.commit(), flipSignatureByte(rejoin.next().groupInfo())),
        "INVALID_GROUP_INFO");
    expect(201, postCommit(youthWorker, channel, 1, rejoin.commit(), rejoin.next().groupInfo()));
  }
}

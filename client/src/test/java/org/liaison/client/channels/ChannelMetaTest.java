package org.liaison.client.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.DeviceIdentity;
import org.liaison.crypto.mls.KeyPackageSecrets;
import org.liaison.crypto.mls.Trust;

class ChannelMetaTest {
  @Test
  void membersOfTheEpochReadItAndTheNextEpochsKeyDoesNot() {
    DeviceIdentity alice = DeviceIdentity.generate("alice", "a1");
    DeviceIdentity bob = DeviceIdentity.generate("bob", "b1");
    byte[] groupId =
        ChannelGroupId.create(new ChannelPolicy(0, new TreeSet<>(), 30, false)).encode();
    ChannelSession a = ChannelSession.create(alice, groupId, Trust.anyone());
    KeyPackageSecrets kp = ChannelSession.newKeyPackage(bob);
    ChannelSession.PendingCommit add = a.add(List.of(kp.publicBytes()));
    ChannelSession b = ChannelSession.join(bob, kp, add.welcome().orElseThrow(), Trust.anyone());

    ChannelMeta meta = new ChannelMeta("Case 2026-114", "Youth outreach, north district");
    byte[] sealed = meta.encrypt(ChannelMeta.key(add.next()));
    assertEquals(meta, ChannelMeta.decrypt(ChannelMeta.key(b), sealed));
    // a key of another epoch (here the creator's epoch 0) does not open it
    assertThrows(
        IllegalArgumentException.class, () -> ChannelMeta.decrypt(ChannelMeta.key(a), sealed));
    sealed[sealed.length - 1] ^= 1;
    assertThrows(
        IllegalArgumentException.class, () -> ChannelMeta.decrypt(ChannelMeta.key(b), sealed));
  }
}

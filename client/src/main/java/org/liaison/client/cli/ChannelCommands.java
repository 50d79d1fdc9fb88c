package org.liaison.client.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.liaison.client.LiaisonClient;
import org.liaison.client.channels.ChannelEvent;
import org.liaison.client.channels.ChannelInfo;
import org.liaison.client.channels.ChannelMeta;
import org.liaison.client.channels.LiaisonDevice;
import org.liaison.client.channels.PolicyJson;
import org.liaison.crypto.mls.ChannelPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Channel commands, thin over {@link LiaisonDevice}. A CLI run holds no MLS state from an earlier
 * run (bcmls cannot save it), so a command that works in a channel first rejoins it by external
 * commit: messages sent since this device's last run are not readable here.
 */
final class ChannelCommands {
  private ChannelCommands() {}

  /** Base for commands that act as the stored device. */
  abstract static class AsDevice implements Callable<Integer> {
    @CommandLine.ParentCommand LiaisonCli cli;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    /**
     * How the device runs: by default it follows only the channels the command works on (each
     * rejoin is a commit every member processes).
     */
    LiaisonDevice.Options options() {
      return LiaisonDevice.Options.defaults().withFollowAll(false);
    }

    @Override
    public Integer call() throws Exception {
      try (LiaisonClient client = cli.client()) {
        LiaisonDevice device = DeviceCommands.open(cli, client, options());
        try {
          return run(client, device);
        } finally {
          device.close();
        }
      }
    }

    abstract int run(LiaisonClient client, LiaisonDevice device) throws Exception;
  }

  @Command(name = "channels", description = "The channels you are in")
  static final class ListChannels extends AsDevice {
    @Override
    int run(LiaisonClient client, LiaisonDevice device) throws Exception {
      List<ChannelInfo> channels = LiaisonCli.await(device.channels());
      if (channels.isEmpty()) {
        out().println("No channels.");
      }
      for (ChannelInfo c : channels) {
        out()
            .println(
                c.id()
                    + "  "
                    + c.kind()
                    + "  "
                    + c.policy().describe()
                    + "  "
                    + c.members().size()
                    + (c.members().size() == 1 ? " member" : " members")
                    + "  "
                    + c.displayName());
      }
      return 0;
    }
  }

  @Command(name = "create-channel", description = "Create a channel with you as its only member")
  static final class CreateChannel extends AsDevice {
    @Option(
        names = "--kind",
        defaultValue = "case",
        description = "case, team, exchange or announcement (default: ${DEFAULT-VALUE})")
    String kind;

    @Option(names = "--min-tier", required = true, description = "T0..T3")
    String minTier;

    @Option(
        names = "--sectors",
        split = ",",
        description =
            "Allowed sectors, comma-separated (default: all), e.g. youth-work,municipality")
    List<String> sectors = new ArrayList<>();

    @Option(names = "--retention-days", defaultValue = "30", description = "1..3650")
    int retentionDays;

    @Option(names = "--history-on-join", description = "New members get the history")
    boolean historyOnJoin;

    @Option(names = "--name", required = true, description = "Encrypted: only members read it")
    String name;

    @Option(names = "--description", defaultValue = "")
    String description;

    @Option(
        names = "--add",
        split = ",",
        description = {
          "People to add at once (user ids or e-mail addresses).",
          "Do it here: a later run cannot rejoin a channel whose only member is this device."
        })
    List<String> members = new ArrayList<>();

    @Override
    int run(LiaisonClient client, LiaisonDevice device) throws Exception {
      ChannelPolicy policy =
          new ChannelPolicy(
              PolicyJson.tier(minTier), new TreeSet<>(sectors), retentionDays, historyOnJoin);
      String id =
          LiaisonCli.await(device.createChannel(kind, policy, new ChannelMeta(name, description)));
      if (!members.isEmpty()) {
        LiaisonCli.await(device.addMembers(id, Add.resolve(client, members)));
      }
      out().println(id);
      return 0;
    }
  }

  @Command(name = "add", description = "Add people (all their devices) to a channel")
  static final class Add extends AsDevice {
    @Parameters(index = "0", description = "Channel id")
    String channelId;

    @Parameters(index = "1..*", arity = "1..*", description = "User ids or e-mail addresses")
    List<String> people;

    /** User ids as given; e-mail addresses looked up in the member directory. */
    static List<String> resolve(LiaisonClient client, List<String> people) throws Exception {
      List<String> userIds = new ArrayList<>();
      JsonArray directory = null;
      for (String who : people) {
        if (!who.contains("@")) {
          userIds.add(who);
          continue;
        }
        if (directory == null) {
          directory = LiaisonCli.await(client.users("limit=1000"));
        }
        String found = null;
        for (int i = 0; i < directory.size(); i++) {
          JsonObject user = directory.getJsonObject(i);
          if (who.equalsIgnoreCase(user.getString("email", ""))) {
            found = user.getString("id");
          }
        }
        if (found == null) {
          throw new IllegalStateException("no member with the address " + who + " in your view");
        }
        userIds.add(found);
      }
      return userIds;
    }

    @Override
    int run(LiaisonClient client, LiaisonDevice device) throws Exception {
      List<String> userIds = resolve(client, people);
      LiaisonDevice.Committed done = LiaisonCli.await(device.addMembers(channelId, userIds));
      out().println("Added; channel is at epoch " + done.epoch() + " (entry #" + done.seq() + ")");
      return 0;
    }
  }

  @Command(name = "send", description = "Send a text message")
  static final class Send extends AsDevice {
    @Parameters(index = "0", description = "Channel id")
    String channelId;

    @Parameters(index = "1..*", arity = "1..*", description = "The text")
    List<String> words;

    @Override
    int run(LiaisonClient client, LiaisonDevice device) throws Exception {
      LiaisonDevice.Sent sent = LiaisonCli.await(device.send(channelId, String.join(" ", words)));
      out().println("Sent #" + sent.seq());
      return 0;
    }
  }

  @Command(
      name = "tail",
      description = {
        "Print messages as they arrive, with their verified sender, until Ctrl-C.",
        "Only messages sent from now on are readable (this run rejoins the channel)."
      })
  static final class Tail extends AsDevice {
    @Parameters(index = "0", description = "Channel id")
    String channelId;

    @Option(names = "--limit", description = "Stop after this many messages")
    Integer limit;

    @Override
    int run(LiaisonClient client, LiaisonDevice device) throws Exception {
      Map<String, String> names = new HashMap<>();
      try {
        JsonArray users = LiaisonCli.await(client.users("limit=1000"));
        for (int i = 0; i < users.size(); i++) {
          names.put(
              users.getJsonObject(i).getString("id"),
              users.getJsonObject(i).getString("displayName"));
        }
      } catch (Exception e) {
        // names are a nicety; ids are what is verified
      }
      CountDownLatch stop = new CountDownLatch(1);
      AtomicInteger seen = new AtomicInteger();
      device.onMessage(
          m -> {
            if (!m.channelId().equals(channelId)) {
              return;
            }
            out()
                .println(
                    "#"
                        + m.seq()
                        + " "
                        + names.getOrDefault(m.senderUserId(), m.senderUserId())
                        + " ["
                        + m.senderUserId()
                        + "/"
                        + m.senderDeviceId()
                        + ", verified] "
                        + m.sentAt()
                        + ": "
                        + m.text());
            out().flush();
            if (limit != null && seen.incrementAndGet() >= limit) {
              stop.countDown();
            }
          });
      device.onEvent(
          e -> {
            if (!e.channelId().equals(channelId)) {
              return;
            }
            if (e instanceof ChannelEvent.HistoryUnavailable h) {
              err()
                  .println(
                      "(entries #"
                          + h.fromSeq()
                          + "..#"
                          + h.toSeq()
                          + " are not readable here: "
                          + h.why().name().toLowerCase()
                          + ")");
            } else if (e instanceof ChannelEvent.Dropped d) {
              err().println("(dropped #" + d.seq() + ": " + d.reason() + ")");
            } else if (e instanceof ChannelEvent.Removed) {
              err().println("(you were removed from this channel)");
              stop.countDown();
            } else if (e instanceof ChannelEvent.Refused r) {
              err().println("(channel refused: " + r.reason() + ")");
              stop.countDown();
            }
            err().flush();
          });
      LiaisonCli.await(device.connect());
      LiaisonCli.await(device.catchUp(channelId));
      err().println("(following " + channelId + "; Ctrl-C to stop)");
      err().flush();
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
      return 0;
    }
  }
}

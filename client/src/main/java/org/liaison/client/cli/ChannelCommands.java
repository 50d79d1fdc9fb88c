package org.liaison.client.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
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

  @Command(
      name = "channels",
      description = "List the channels you are in, with their policy and members by name.")
  static final class ListChannels extends AsDevice {
    @Override
    int run(LiaisonClient client, LiaisonDevice device) throws Exception {
      List<ChannelInfo> channels = LiaisonCli.await(device.channels());
      if (channels.isEmpty()) {
        out().println("No channels.");
        return 0;
      }
      Directory directory = Directory.read(client);
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
        out().println("    " + memberNames(directory, c));
      }
      return 0;
    }
  }

  /** "Arta, Besnik (2 devices)": each member once, by name, from the directory. */
  static String memberNames(Directory directory, ChannelInfo c) {
    Map<String, Integer> devices = new java.util.LinkedHashMap<>();
    c.members().forEach(m -> devices.merge(m.userId(), 1, Integer::sum));
    List<String> names = new ArrayList<>();
    devices.forEach(
        (user, count) ->
            names.add(directory.name(user) + (count == 1 ? "" : " (" + count + " devices)")));
    return String.join(", ", names);
  }

  @Command(
      name = "create-channel",
      description = {
        "Create a channel with you as its only member (and --add people at once); prints its id.",
        "Its name and description are encrypted: only members read them."
      })
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

    @Option(
        names = "--description",
        defaultValue = "",
        description = "What the channel is for (encrypted, optional)")
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

  @Command(
      name = "add",
      description = {
        "Add people (all their confirmed devices) to a channel.",
        "Refused when someone does not meet the channel's policy or has no confirmed device."
      })
  static final class Add extends AsDevice {
    @Parameters(index = "0", description = "Channel id (see `channels`)")
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
      Directory directory = Directory.read(client);
      String channel = LiaisonCli.await(device.channel(channelId)).displayName();
      out()
          .println(
              "Added "
                  + String.join(", ", userIds.stream().map(directory::person).toList())
                  + " to "
                  + channel
                  + " ["
                  + channelId
                  + "]; it is at epoch "
                  + done.epoch()
                  + " (entry #"
                  + done.seq()
                  + ")");
      return 0;
    }
  }

  @Command(
      name = "send",
      description = {
        "Send a text message, end-to-end encrypted, to everyone in the channel.",
        "This run rejoins the channel first (a commit every member processes)."
      })
  static final class Send extends AsDevice {
    @Parameters(index = "0", description = "Channel id (see `channels`)")
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
        "Print messages as they arrive with their verified sender, until Ctrl-C.",
        "Only messages sent from now on are readable (this run rejoins the channel)."
      })
  static final class Tail extends AsDevice {
    @Parameters(index = "0", description = "Channel id (see `channels`)")
    String channelId;

    @Option(names = "--limit", description = "Stop after this many messages")
    Integer limit;

    @Override
    int run(LiaisonClient client, LiaisonDevice device) throws Exception {
      Directory names = Directory.read(client);
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
                        + names.name(m.senderUserId())
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

package org.liaison.server.delivery;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recent log entries by id, least recently used out first, bounded in entries and bytes. Entries
 * are immutable, so a hit is always right, on any node; live fan-out and recent catch-up are served
 * from here and the store is read only for what fell out.
 */
final class EntryCache {
  private final int maxEntries;
  private final long maxBytes;
  private long bytes;
  private final LinkedHashMap<String, LogEntry> entries = new LinkedHashMap<>(1024, 0.75f, true);

  EntryCache(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  LogEntry get(String id) {
    return entries.get(id);
  }

  void put(LogEntry entry) {
    LogEntry previous = entries.put(entry.id(), entry);
    if (previous != null) {
      bytes -= previous.size();
    }
    bytes += entry.size();
    var eldest = entries.entrySet().iterator();
    while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      Map.Entry<String, LogEntry> out = eldest.next();
      bytes -= out.getValue().size();
      eldest.remove();
    }
  }

  void remove(String id) {
    LogEntry out = entries.remove(id);
    if (out != null) {
      bytes -= out.size();
    }
  }
}

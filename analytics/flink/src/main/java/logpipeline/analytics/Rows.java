package logpipeline.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The job's output rows, one JSON object per row, told apart by {@code kind}: "window" (one window of one
 * dimension key), "burst" (an error burst on a host), "late" (a record that came after its window closed) and
 * "invalid" (a message that is not a lake record). Times are UTC ISO 8601 with milliseconds, like the lake's.
 */
public final class Rows {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Rows() {}

  private static final DateTimeFormatter ISO_MS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  static String iso(long ms) {
    return ISO_MS.format(Instant.ofEpochMilli(ms));
  }

  public static WindowRow window(String dimension, String key, long start, long end, MinuteStats s, int topPaths) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("kind", "window");
    o.put("window_start", iso(start));
    o.put("window_end", iso(end));
    o.put("dimension", dimension);
    o.put("key", key);
    o.put("records", s.records);
    o.put("requests", s.requests);
    o.put("status_2xx", s.status2xx);
    o.put("status_3xx", s.status3xx);
    o.put("status_4xx", s.status4xx);
    o.put("status_5xx", s.status5xx);
    if (s.requests > 0) o.put("share_5xx", (double) s.status5xx / s.requests);
    else o.putNull("share_5xx");
    o.put("severity_records", s.severityRecords);
    o.put("error_severity", s.errorSeverity);
    if (s.severityRecords > 0) o.put("error_share", (double) s.errorSeverity / s.severityRecords);
    else o.putNull("error_share");
    putNullable(o, "bytes_p50", s.bytesPercentile(50));
    putNullable(o, "bytes_p90", s.bytesPercentile(90));
    putNullable(o, "bytes_p99", s.bytesPercentile(99));
    topList(o.putArray("top_paths_by_requests"), s.requestsByPath, topPaths, "requests");
    topList(o.putArray("top_paths_by_5xx"), s.errorsByPath, topPaths, "status_5xx");
    WindowRow row = new WindowRow();
    row.windowStartMs = start;
    row.windowEndMs = end;
    row.dimension = dimension;
    row.key = key;
    row.requests = s.requests;
    row.status5xx = s.status5xx;
    row.json = o.toString();
    return row;
  }

  public static String burst(WindowRow w, long quietUntilMs) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("kind", "burst");
    o.put("window_start", iso(w.windowStartMs));
    o.put("window_end", iso(w.windowEndMs));
    o.put("dimension", Dimensioned.HOST);
    o.put("key", w.key);
    o.put("requests", w.requests);
    o.put("status_5xx", w.status5xx);
    o.put("share_5xx", w.share5xx());
    o.put("quiet_until", iso(quietUntilMs));
    return o.toString();
  }

  public static String late(LogRecord r, long watermarkMs) {
    long start = r.timestampMs - Math.floorMod(r.timestampMs, Settings.WINDOW_MS);
    ObjectNode o = MAPPER.createObjectNode();
    o.put("kind", "late");
    o.put("window_start", iso(start));
    o.put("window_end", iso(start + Settings.WINDOW_MS));
    o.put("timestamp", iso(r.timestampMs));
    o.put("event_id", r.eventId);
    if (r.status == null) o.putNull("status");
    else o.put("status", r.status);
    o.put("watermark", iso(watermarkMs));
    return o.toString();
  }

  public static String invalid(LogRecord r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("kind", "invalid");
    o.put("reason", r.invalidReason);
    return o.toString();
  }

  private static void putNullable(ObjectNode o, String field, Long v) {
    if (v == null) o.putNull(field);
    else o.put(field, v);
  }

  private static void topList(ArrayNode array, Map<String, Long> counts, int n, String countField) {
    for (Map.Entry<String, Long> e : MinuteStats.top(counts, n)) {
      array.addObject().put("path", e.getKey()).put(countField, e.getValue());
    }
  }
}

package logpipeline.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The fields of one lake record (schema/log-record.schema.json) the analytics reads. The job never parses a log
 * line: it reads the records the shared TypeScript record core wrote (lambda/shared/record-core.ts), one JSON
 * object per Kafka message. A message that is not such a record stays a record with {@code valid == false} and
 * its reason, so the job counts it instead of failing or dropping it.
 */
public class LogRecord implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public boolean valid;
  public String invalidReason;
  public String eventId;
  /**
   * The record's format is 'unparsed': no parser read its time, so its timestamp is when it arrived
   * (ingested_at). It counts in that minute but does not move the watermark: a replay of old lines with an
   * unparsed one among them would otherwise make every later record of its partition late.
   */
  public boolean timeIsArrival;
  /** The record's {@code timestamp} (when the event happened), epoch ms: the job's event time. */
  public long timestampMs;
  public String host;
  public String app;
  public String path;
  public Integer status;
  public Long bytes;
  public String severity;

  public LogRecord() {}

  public static LogRecord fromJson(byte[] json) {
    LogRecord r = new LogRecord();
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (Exception e) {
      return r.invalid("not JSON: " + e.getClass().getSimpleName());
    }
    if (node == null || !node.isObject()) return r.invalid("not a JSON object");
    JsonNode ts = node.get("timestamp");
    if (ts == null || !ts.isTextual()) return r.invalid("no timestamp");
    try {
      r.timestampMs = Instant.parse(ts.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      return r.invalid("timestamp is not ISO 8601: " + ts.asText());
    }
    r.eventId = text(node, "event_id");
    r.timeIsArrival = "unparsed".equals(text(node, "format"));
    r.host = text(node, "host");
    r.app = text(node, "app");
    r.path = text(node, "path");
    r.severity = text(node, "severity");
    JsonNode status = node.get("status");
    r.status = status != null && status.canConvertToInt() && status.isIntegralNumber() ? status.asInt() : null;
    JsonNode bytes = node.get("bytes");
    r.bytes = bytes != null && bytes.isIntegralNumber() ? bytes.asLong() : null;
    r.valid = true;
    return r;
  }

  private LogRecord invalid(String reason) {
    valid = false;
    invalidReason = reason;
    return this;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}

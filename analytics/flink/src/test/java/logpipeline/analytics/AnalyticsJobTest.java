package logpipeline.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's windows on Flink's MiniCluster over a bounded in-memory source: the end of input is the end of event
 * time, so every window fires and each count is exact. One source partition, so whether a record is late depends
 * only on the records before it.
 */
class AnalyticsJobTest {
  /** Keeps the metrics of finished jobs, so a test reads what a reporter saw. */
  static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
          .setConfiguration(METRICS.addToConfiguration(new Configuration())).build());

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String MINUTE0 = "2026-03-01T10:00";
  private static final String MINUTE1 = "2026-03-01T10:01";

  private static String access(String time, String path, int status, Long bytes) {
    ObjectNode o = base(time);
    o.put("format", "combined").put("path", path).put("status", status).put("method", "GET");
    if (bytes == null) o.putNull("bytes");
    else o.put("bytes", bytes);
    return o.toString();
  }

  private static String json(String time, String app, String host, String path, int status, String severity) {
    ObjectNode o = base(time);
    o.put("format", "json").put("app", app).put("host", host).put("path", path).put("status", status).put("severity", severity);
    return o.toString();
  }

  private static String syslog(String time, String app, String host, String severity) {
    ObjectNode o = base(time);
    o.put("format", "syslog_rfc5424").put("app", app).put("host", host).put("severity", severity).put("message", "m");
    return o.toString();
  }

  private static int ids = 0;

  private static ObjectNode base(String time) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("event_id", String.format("%032x", ++ids)).put("source", "kafka").put("timestamp", time + "Z").put("ingested_at", time + "Z");
    return o;
  }

  static List<JsonNode> run(Settings s, List<String> messages) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    var records = env.fromData(messages)
        .map(m -> LogRecord.fromJson(m.getBytes(StandardCharsets.UTF_8)))
        .returns(LogRecord.class)
        .assignTimestampsAndWatermarks(AnalyticsJob.watermarks(s));
    List<JsonNode> rows = new ArrayList<>();
    try (CloseableIterator<String> it = AnalyticsJob.analytics(records, s).executeAndCollect()) {
      while (it.hasNext()) rows.add(MAPPER.readTree(it.next()));
    }
    return rows;
  }

  static JsonNode window(List<JsonNode> rows, String start, String dimension, String key) {
    List<JsonNode> found = rows.stream()
        .filter(r -> r.get("kind").asText().equals("window") && r.get("window_start").asText().equals(start + ":00.000Z")
            && r.get("dimension").asText().equals(dimension) && r.get("key").asText().equals(key))
        .collect(Collectors.toList());
    assertEquals(1, found.size(), "one window row for " + start + " " + dimension + "=" + key + " in " + rows);
    return found.get(0);
  }

  static List<JsonNode> kind(List<JsonNode> rows, String kind) {
    return rows.stream().filter(r -> r.get("kind").asText().equals(kind)).collect(Collectors.toList());
  }

  @Test
  void countsEveryDimensionOfEachMinuteExactly() throws Exception {
    List<String> in = List.of(
        access(MINUTE0 + ":01.000", "/api/users/1?x=1", 200, 100L),
        access(MINUTE0 + ":02.000", "/api/users/2", 503, 300L),
        access(MINUTE0 + ":03.000", "/api/users/2", 500, 200L),
        access(MINUTE0 + ":04.000", "/static/app.js", 304, null),
        access(MINUTE0 + ":05.000", "/login", 404, 400L),
        json(MINUTE0 + ":06.000", "checkout", "web-1", "/api/pay", 502, "error"),
        syslog(MINUTE0 + ":07.000", "sshd", "web-1", "info"),
        syslog(MINUTE0 + ":08.000", "kernel", "web-2", "crit"),
        access(MINUTE1 + ":30.000", "/api/users/3", 201, 500L),
        "{not json");

    List<JsonNode> rows = run(new Settings(), in);

    JsonNode all0 = window(rows, MINUTE0, "overall", "*");
    assertEquals("2026-03-01T10:01:00.000Z", all0.get("window_end").asText());
    assertEquals(8, all0.get("records").asLong());
    assertEquals(6, all0.get("requests").asLong());
    assertEquals(1, all0.get("status_2xx").asLong());
    assertEquals(1, all0.get("status_3xx").asLong());
    assertEquals(1, all0.get("status_4xx").asLong());
    assertEquals(3, all0.get("status_5xx").asLong());
    assertEquals(0.5, all0.get("share_5xx").asDouble(), 1e-12);
    assertEquals(3, all0.get("severity_records").asLong());
    assertEquals(2, all0.get("error_severity").asLong()); // error and crit; info is not
    // Bytes of the requests that have them: 100 200 300 400, nearest rank.
    assertEquals(200, all0.get("bytes_p50").asLong());
    assertEquals(400, all0.get("bytes_p90").asLong());
    assertEquals(400, all0.get("bytes_p99").asLong());
    assertEquals("/api/users/2", all0.get("top_paths_by_requests").get(0).get("path").asText());
    assertEquals(2, all0.get("top_paths_by_requests").get(0).get("requests").asLong());
    assertEquals("/api/users/2", all0.get("top_paths_by_5xx").get(0).get("path").asText());
    assertEquals(2, all0.get("top_paths_by_5xx").get(0).get("status_5xx").asLong());
    assertEquals("/api/pay", all0.get("top_paths_by_5xx").get(1).get("path").asText());

    JsonNode api = window(rows, MINUTE0, "route", "/api");
    assertEquals(4, api.get("requests").asLong());
    assertEquals(3, api.get("status_5xx").asLong());
    assertEquals(0.75, api.get("share_5xx").asDouble(), 1e-12);
    assertEquals(1, window(rows, MINUTE0, "route", "/login").get("status_4xx").asLong());

    JsonNode checkout = window(rows, MINUTE0, "app", "checkout");
    assertEquals(1, checkout.get("status_5xx").asLong());
    assertEquals(1.0, checkout.get("share_5xx").asDouble(), 1e-12);
    JsonNode noApp = window(rows, MINUTE0, "app", Dimensioned.NONE);
    assertEquals(5, noApp.get("records").asLong()); // the access-log lines name no app
    JsonNode sshd = window(rows, MINUTE0, "app", "sshd");
    assertEquals(0, sshd.get("requests").asLong());
    assertTrue(sshd.get("share_5xx").isNull());
    assertNull(sshd.get("bytes_p50").isNull() ? null : sshd.get("bytes_p50"));

    JsonNode web1 = window(rows, MINUTE0, "host", "web-1");
    assertEquals(2, web1.get("records").asLong());
    assertEquals(0.5, web1.get("error_share").asDouble(), 1e-12);

    JsonNode all1 = window(rows, MINUTE1, "overall", "*");
    assertEquals(1, all1.get("records").asLong());
    assertEquals(1, all1.get("status_2xx").asLong());

    assertEquals(1, kind(rows, "invalid").size());
    assertEquals(0, kind(rows, "late").size());
    assertEquals(0, kind(rows, "burst").size());
    // Minute 0: overall, 4 apps (-, checkout, sshd, kernel), 3 hosts (-, web-1, web-2), 3 routes (/api, /static,
    // /login); minute 1: overall, app -, host -, route /api.
    assertEquals(11 + 4, kind(rows, "window").size());
  }

  @Test
  void outOfOrderWithinTheBoundCountsLateBeyondItGoesToTheSideOutput() throws Exception {
    Settings s = new Settings();
    s.outOfOrdernessMs = 10_000;
    List<String> in = List.of(
        access(MINUTE0 + ":10.000", "/a", 200, 1L),
        access(MINUTE0 + ":50.000", "/a", 200, 1L),
        access(MINUTE1 + ":05.000", "/a", 200, 1L), // watermark 10:00:54.999: minute 0 still open
        access(MINUTE0 + ":55.000", "/a", 500, 1L), // 10 s out of order: within the bound, counts in minute 0
        access(MINUTE1 + ":20.000", "/a", 200, 1L), // watermark 10:01:09.999: minute 0 has fired
        access(MINUTE0 + ":58.000", "/a", 500, 1L), // 22 s behind: late
        access(MINUTE0 + ":59.999", "/a", 500, 1L), // late too (its window's last millisecond is behind the watermark)
        access(MINUTE1 + ":09.000", "/a", 200, 1L)); // behind the watermark but its window is open: counts

    List<JsonNode> rows = run(s, in);

    JsonNode m0 = window(rows, MINUTE0, "overall", "*");
    assertEquals(3, m0.get("records").asLong());
    assertEquals(1, m0.get("status_5xx").asLong());
    JsonNode m1 = window(rows, MINUTE1, "overall", "*");
    assertEquals(3, m1.get("records").asLong());
    List<JsonNode> late = kind(rows, "late");
    assertEquals(2, late.size());
    for (JsonNode l : late) {
      assertEquals(MINUTE0 + ":00.000Z", l.get("window_start").asText());
      assertEquals(MINUTE1 + ":09.999Z", l.get("watermark").asText());
      assertEquals(500, l.get("status").asInt());
    }
  }

  @Test
  void anUnparsedRecordCountsAtItsArrivalWithoutMovingTheWatermark() throws Exception {
    ObjectNode unparsed = base("2026-12-06T03:00:00.000");
    unparsed.put("format", "unparsed").put("raw", "no time here");
    List<String> in = List.of(
        access(MINUTE0 + ":10.000", "/a", 200, 1L),
        unparsed.toString(),
        access(MINUTE0 + ":20.000", "/a", 200, 1L));

    List<JsonNode> rows = run(new Settings(), in);

    assertEquals(2, window(rows, MINUTE0, "overall", "*").get("records").asLong());
    assertEquals(1, window(rows, "2026-12-06T03:00", "overall", "*").get("records").asLong());
    assertEquals(0, kind(rows, "late").size());
  }

  @Test
  void aBurstOf5xxFiresOncePerHostThenStaysQuiet() throws Exception {
    Settings s = new Settings();
    s.burstMin5xx = 20;
    s.burstMinShare = 0.2;
    s.burstQuietMinutes = 5;
    List<String> in = new ArrayList<>();
    String[] minutes = {"10:00", "10:01", "10:07"};
    int[][] web1 = {{25, 50}, {30, 40}, {25, 25}}; // {5xx, requests} per minute
    for (int m = 0; m < minutes.length; m++) {
      for (int i = 0; i < web1[m][1]; i++) {
        String t = String.format("2026-03-01T%s:%02d.%03d", minutes[m], i % 60, i);
        in.add(json(t, "checkout", "web-1", "/api/pay", i < web1[m][0] ? 503 : 200, "info"));
      }
    }
    for (int i = 0; i < 200; i++) { // web-2: 25 errors but 12.5% of its requests, below the share
      in.add(json(String.format("2026-03-01T10:00:%02d.%03d", i % 60, i), "search", "web-2", "/api/q", i < 25 ? 500 : 200, "info"));
    }
    in.sort((a, b) -> ts(a).compareTo(ts(b)));

    List<JsonNode> bursts = kind(run(s, in), "burst");

    assertEquals(2, bursts.size(), bursts.toString());
    Map<String, JsonNode> byStart = bursts.stream().collect(Collectors.toMap(b -> b.get("window_start").asText(), b -> b));
    JsonNode first = byStart.get("2026-03-01T10:00:00.000Z");
    assertEquals("web-1", first.get("key").asText());
    assertEquals(25, first.get("status_5xx").asLong());
    assertEquals(50, first.get("requests").asLong());
    assertEquals(0.5, first.get("share_5xx").asDouble(), 1e-12);
    assertEquals("2026-03-01T10:06:00.000Z", first.get("quiet_until").asText());
    JsonNode again = byStart.get("2026-03-01T10:07:00.000Z");
    assertEquals(25, again.get("status_5xx").asLong());
  }

  private static Instant ts(String json) {
    try {
      return Instant.parse(MAPPER.readTree(json).get("timestamp").asText());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The metric named `name` in the KinesisAnalytics group whose user variable <variable> is `value`. */
  static Metric metric(String variable, String value, String name) {
    List<Metric> found = new ArrayList<>();
    for (Map.Entry<MetricGroup, Map<String, Metric>> e : METRICS.getMetricsByGroup().entrySet()) {
      String scope = String.join(".", e.getKey().getScopeComponents());
      if (scope.contains(WindowMetrics.GROUP) && value.equals(e.getKey().getAllVariables().get("<" + variable + ">")) && e.getValue().containsKey(name)) {
        found.add(e.getValue().get(name));
      }
    }
    assertEquals(1, found.size(), name + " for " + variable + "=" + value);
    return found.get(0);
  }

  @Test
  void theLatestWindowOfEachAppAndEachBurstAreMetricsInTheGroupMsfPublishes() throws Exception {
    List<String> in = new ArrayList<>();
    for (int i = 0; i < 40; i++) in.add(json(String.format("2026-03-02T10:00:%02d.000", i), "metrics-app", "metrics-host", "/p", i < 30 ? 503 : 200, "info"));
    for (int i = 0; i < 10; i++) in.add(json(String.format("2026-03-02T10:01:%02d.000", i), "metrics-app", "metrics-host", "/p", i < 1 ? 500 : 200, "info"));

    run(new Settings(), in);

    // The gauges hold the latest window (10:01): 1 of 10.
    assertEquals(10.0, ((Gauge<?>) metric("App", "metrics-app", "Requests")).getValue());
    assertEquals(1.0, ((Gauge<?>) metric("App", "metrics-app", "Status5xx")).getValue());
    assertEquals(0.1, (Double) ((Gauge<?>) metric("App", "metrics-app", "Share5xx")).getValue(), 1e-12);
    assertEquals(1, ((Counter) metric("Host", "metrics-host", "ErrorBursts")).getCount());
  }

  @Test
  void routePrefixIsTheFirstSegment() {
    assertEquals("/api", Dimensioned.routePrefix("/api/users/7?x=1"));
    assertEquals("/", Dimensioned.routePrefix("/"));
    assertEquals("/login", Dimensioned.routePrefix("/login?next=/x"));
    assertEquals("*", Dimensioned.routePrefix("*"));
    assertNull(Dimensioned.routePrefix(null));
  }

  @Test
  void mskIamIsSaslSslWithTheLibrarysLoginModuleAndCallbackHandlerOnTheClasspath() throws Exception {
    assertTrue(Settings.fromArgs(new String[] {}).kafkaSecurity().isEmpty());
    var p = Settings.fromArgs(new String[] {"--security", "msk-iam"}).kafkaSecurity();
    assertEquals("SASL_SSL", p.getProperty("security.protocol"));
    assertEquals("AWS_MSK_IAM", p.getProperty("sasl.mechanism"));
    assertEquals("software.amazon.msk.auth.iam.IAMLoginModule required;", p.getProperty("sasl.jaas.config"));
    Class.forName("software.amazon.msk.auth.iam.IAMLoginModule");
    Class.forName(p.getProperty("sasl.client.callback.handler.class"));
  }

  @Test
  void settingsRejectWhatTheyCannotUse() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Settings.fromArgs(new String[] {"--burst-min-share", "2"}));
    assertTrue(e.getMessage().contains("--burst-min-share"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Settings.fromArgs(new String[] {"--no-such", "1"}));
  }
}

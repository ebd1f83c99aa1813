package logpipeline.analytics;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The job's settings, from {@code --name value} arguments (locally) or the application's runtime properties
 * (on Managed Service for Apache Flink). Every setting has a default; a wrong value fails at start with a
 * message that names it.
 */
public final class Settings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Tumbling window length: one minute. */
  public static final long WINDOW_MS = 60_000L;

  /** How far out of order a record's timestamp may be and still count in its window. */
  public long outOfOrdernessMs = 10_000L;
  /** A source partition without records for this long is marked idle so it holds no window back. */
  public long idleTimeoutMs = 30_000L;
  /** How many paths each window's top lists keep. */
  public int topPaths = 5;
  /** An error burst on a host: at least this many 5xx in one window... */
  public long burstMin5xx = 20;
  /** ...and at least this share of its requests... */
  public double burstMinShare = 0.2;
  /** ...then no further burst for this host for this many minutes after the window that fired. */
  public int burstQuietMinutes = 5;

  // The Kafka side (main() only).
  public String bootstrap = "localhost:9092";
  public String recordsTopic = "log-records";
  public String outputTopic = "log-analytics";
  public String groupId = "log-analytics-flink";
  /** Read the topics from the earliest offset to the offsets at start, then finish (every window fires). */
  public boolean bounded = false;
  public long checkpointIntervalMs = 60_000L;
  /** exactly-once (Kafka transactions) or at-least-once. */
  public String delivery = "exactly-once";
  /** plaintext (the local broker) or msk-iam (SASL_SSL with AWS_MSK_IAM, the application's role). */
  public String security = "plaintext";

  /**
   * The Kafka client properties of --security, for the source and the sink alike. msk-iam is MSK's Java client
   * configuration for IAM access control (Configure clients for IAM access control,
   * https://docs.aws.amazon.com/msk/latest/developerguide/configure-clients-for-iam-access-control.html): the
   * aws-msk-iam-auth library signs with the default credentials, on Managed Service for Apache Flink the
   * application's service execution role.
   */
  public java.util.Properties kafkaSecurity() {
    java.util.Properties p = new java.util.Properties();
    if (security.equals("msk-iam")) {
      p.setProperty("security.protocol", "SASL_SSL");
      p.setProperty("sasl.mechanism", "AWS_MSK_IAM");
      p.setProperty("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
      p.setProperty("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    }
    return p;
  }

  public static Settings fromArgs(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "': arguments are --name value");
      String name = a.substring(2);
      if (name.equals("bounded")) {
        values.put(name, "true");
        continue;
      }
      if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
      values.put(name, args[++i]);
    }
    return from(values);
  }

  /** The property group that holds the job's settings on Managed Service for Apache Flink (the construct writes it). */
  public static final String PROPERTY_GROUP = "LogAnalytics";

  /**
   * Where Managed Service for Apache Flink writes the application's runtime properties in the job's container: a
   * JSON array of {"PropertyGroupId": ..., "PropertyMap": {name: value}}, the application's EnvironmentProperties.
   * AWS's own examples read it there (aws-samples/amazon-managed-service-for-apache-flink-examples, the PyFlink
   * getting-started application); the Java examples read it through KinesisAnalyticsRuntime, whose jar this job
   * does without: the file needs only Jackson, which the jar has.
   */
  public static final java.nio.file.Path MSF_PROPERTIES_FILE = java.nio.file.Path.of("/etc/flink/application_properties.json");

  /**
   * The settings in group {@link #PROPERTY_GROUP} of a runtime properties file, named as the arguments without
   * their dashes ({@code bootstrap}, {@code records-topic}). A file without that group is an error that names it.
   */
  public static Settings fromPropertiesFile(java.nio.file.Path file) throws java.io.IOException {
    com.fasterxml.jackson.databind.JsonNode groups = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    if (groups == null || !groups.isArray()) throw new IllegalArgumentException(file + " must hold a JSON array of property groups");
    for (com.fasterxml.jackson.databind.JsonNode group : groups) {
      if (!PROPERTY_GROUP.equals(group.path("PropertyGroupId").asText())) continue;
      Map<String, String> values = new HashMap<>();
      group.path("PropertyMap").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
      return from(values);
    }
    throw new IllegalArgumentException(file + " has no property group " + PROPERTY_GROUP + ": the application's runtime properties must hold it");
  }

  /** Arguments when given (locally); with none, the runtime properties file when it exists (on MSF); else the defaults. */
  public static Settings forMain(String[] args, java.nio.file.Path propertiesFile) throws java.io.IOException {
    if (args.length == 0 && java.nio.file.Files.isRegularFile(propertiesFile)) return fromPropertiesFile(propertiesFile);
    return fromArgs(args);
  }

  public static Settings from(Map<String, String> values) {
    Settings s = new Settings();
    for (Map.Entry<String, String> e : values.entrySet()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "out-of-orderness-ms" -> s.outOfOrdernessMs = positive(e.getKey(), Long.parseLong(v), true);
        case "idle-timeout-ms" -> s.idleTimeoutMs = positive(e.getKey(), Long.parseLong(v), false);
        case "top-paths" -> s.topPaths = (int) positive(e.getKey(), Integer.parseInt(v), false);
        case "burst-min-5xx" -> s.burstMin5xx = positive(e.getKey(), Long.parseLong(v), false);
        case "burst-min-share" -> {
          s.burstMinShare = Double.parseDouble(v);
          if (!(s.burstMinShare > 0 && s.burstMinShare <= 1)) throw new IllegalArgumentException("--burst-min-share must be in (0, 1], got " + v);
        }
        case "burst-quiet-minutes" -> s.burstQuietMinutes = (int) positive(e.getKey(), Integer.parseInt(v), true);
        case "bootstrap" -> s.bootstrap = v;
        case "records-topic" -> s.recordsTopic = v;
        case "output-topic" -> s.outputTopic = v;
        case "group-id" -> s.groupId = v;
        case "bounded" -> s.bounded = Boolean.parseBoolean(v);
        case "checkpoint-interval-ms" -> s.checkpointIntervalMs = positive(e.getKey(), Long.parseLong(v), false);
        case "delivery" -> {
          if (!v.equals("exactly-once") && !v.equals("at-least-once")) throw new IllegalArgumentException("--delivery is exactly-once or at-least-once, got " + v);
          s.delivery = v;
        }
        case "security" -> {
          if (!v.equals("plaintext") && !v.equals("msk-iam")) throw new IllegalArgumentException("--security is plaintext or msk-iam, got " + v);
          s.security = v;
        }
        default -> throw new IllegalArgumentException("unknown setting --" + e.getKey());
      }
    }
    return s;
  }

  private static long positive(String name, long v, boolean zeroAllowed) {
    if (v < 0 || (!zeroAllowed && v == 0)) throw new IllegalArgumentException("--" + name + " must be " + (zeroAllowed ? "0 or more" : "more than 0") + ", got " + v);
    return v;
  }
}

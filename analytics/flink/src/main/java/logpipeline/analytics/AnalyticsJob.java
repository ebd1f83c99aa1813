package logpipeline.analytics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * The stream analytics job. Reads the lake's records (JSON, one per Kafka message) from the records topic,
 * counts them in one-minute tumbling event-time windows per app, host, route prefix and overall, detects error
 * bursts per host, and writes every result as a JSON row (see {@link Rows}) to the output topic, exactly once
 * (Kafka transactions committed on checkpoints) unless --delivery at-least-once.
 *
 * Run outside a cluster ({@code java -cp <jar and classpath> logpipeline.analytics.AnalyticsJob --bounded ...})
 * main() runs on a local MiniCluster; --bounded reads up to the offsets at start and then finishes, which fires
 * every window (the end of input is the end of event time).
 */
public final class AnalyticsJob {
  private AnalyticsJob() {}

  /** Event time is the record's timestamp; the watermark trails the largest one by the bound; quiet partitions go idle. */
  public static WatermarkStrategy<LogRecord> watermarks(Settings s) {
    return WatermarkStrategy.<LogRecord>forGenerator(ctx -> new EventTimeWatermarks(s.outOfOrdernessMs))
        .withTimestampAssigner((r, previous) -> r.valid ? r.timestampMs : Long.MIN_VALUE)
        .withIdleness(Duration.ofMillis(s.idleTimeoutMs));
  }

  /** The analytics over records that already carry timestamps and watermarks: every output row as JSON. */
  public static DataStream<String> analytics(DataStream<LogRecord> records, Settings s) {
    SingleOutputStreamOperator<LogRecord> onTime = records.process(new LateSplitter()).name("late-and-invalid-split");
    OutputTag<Dimensioned> lateAtWindow = new OutputTag<>("late-at-window") {};
    SingleOutputStreamOperator<WindowRow> windows = onTime
        .flatMap((LogRecord r, org.apache.flink.util.Collector<Dimensioned> out) -> {
          out.collect(new Dimensioned(Dimensioned.OVERALL, "*", r));
          out.collect(new Dimensioned(Dimensioned.APP, r.app == null ? Dimensioned.NONE : r.app, r));
          out.collect(new Dimensioned(Dimensioned.HOST, r.host == null ? Dimensioned.NONE : r.host, r));
          String route = Dimensioned.routePrefix(r.path);
          if (route != null) out.collect(new Dimensioned(Dimensioned.ROUTE, route, r));
        })
        .returns(Dimensioned.class)
        .name("dimensions")
        .keyBy(Dimensioned::groupKey)
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(Settings.WINDOW_MS)))
        .sideOutputLateData(lateAtWindow)
        .aggregate(new MinuteAggregate(), new WindowResult(s.topPaths))
        .name("minute-windows");
    DataStream<String> bursts = windows
        .filter(w -> Dimensioned.HOST.equals(w.dimension))
        .keyBy(w -> w.key)
        .process(new BurstDetector(s))
        .name("error-bursts");
    // The split above leaves the windows nothing late; should one arrive anyway it is a late row too, not lost.
    DataStream<String> lateAtWindows = windows.getSideOutput(lateAtWindow)
        .filter(d -> Dimensioned.OVERALL.equals(d.dimension))
        .map(d -> Rows.late(d.record, Long.MIN_VALUE));
    return windows.map(new WindowMetrics()).name("window-rows-and-metrics")
        .union(bursts, onTime.getSideOutput(LateSplitter.LATE), onTime.getSideOutput(LateSplitter.INVALID), lateAtWindows);
  }

  public static void main(String[] args) throws Exception {
    Settings s = Settings.forMain(args, Settings.MSF_PROPERTIES_FILE);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(s.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);

    var source = KafkaSource.<LogRecord>builder()
        .setBootstrapServers(s.bootstrap)
        .setTopics(s.recordsTopic)
        .setGroupId(s.groupId)
        .setProperties(s.kafkaSecurity())
        .setStartingOffsets(s.bounded ? OffsetsInitializer.earliest() : OffsetsInitializer.committedOffsets(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
        .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(new RecordDeserializer()));
    if (s.bounded) source.setBounded(OffsetsInitializer.latest());

    DataStream<LogRecord> records = env.fromSource(source.build(), watermarks(s), "records-topic");
    boolean exactlyOnce = s.delivery.equals("exactly-once");
    Properties producer = s.kafkaSecurity();
    // Below the broker's transaction.max.timeout.ms (15 minutes by default), above the checkpoint interval.
    producer.setProperty("transaction.timeout.ms", String.valueOf(Math.max(s.checkpointIntervalMs * 5, 600_000L)));
    var sink = KafkaSink.<String>builder()
        .setBootstrapServers(s.bootstrap)
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(KafkaRecordSerializationSchema.builder().setTopic(s.outputTopic).setValueSerializationSchema(new SimpleStringSchema()).build())
        .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
    if (exactlyOnce) sink.setTransactionalIdPrefix(s.groupId);
    analytics(records, s).sinkTo(sink.build()).name("output-topic");
    env.execute("log-analytics");
  }

  /** Kafka message value to {@link LogRecord}; never throws (a bad message becomes an invalid record). */
  public static final class RecordDeserializer implements DeserializationSchema<LogRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public LogRecord deserialize(byte[] message) {
      return LogRecord.fromJson(message == null ? "".getBytes(StandardCharsets.UTF_8) : message);
    }

    @Override
    public boolean isEndOfStream(LogRecord next) {
      return false;
    }

    @Override
    public TypeInformation<LogRecord> getProducedType() {
      return TypeInformation.of(LogRecord.class);
    }
  }
}

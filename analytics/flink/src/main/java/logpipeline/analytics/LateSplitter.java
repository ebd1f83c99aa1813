package logpipeline.analytics;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Before the windows: a record whose one-minute window the watermark has already passed goes to the late side
 * output (counted, with its window), and a message that is not a lake record to the invalid side output. The
 * windows downstream see a watermark no later than this operator's, so a record let through here is never late
 * there.
 */
public class LateSplitter extends ProcessFunction<LogRecord, LogRecord> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<String> LATE = new OutputTag<>("late") {};
  public static final OutputTag<String> INVALID = new OutputTag<>("invalid") {};

  private transient Counter lateRecords;
  private transient Counter invalidRecords;

  @Override
  public void open(OpenContext openContext) {
    lateRecords = getRuntimeContext().getMetricGroup().counter("lateRecords");
    invalidRecords = getRuntimeContext().getMetricGroup().counter("invalidRecords");
  }

  @Override
  public void processElement(LogRecord r, Context ctx, Collector<LogRecord> out) {
    if (!r.valid) {
      invalidRecords.inc();
      ctx.output(INVALID, Rows.invalid(r));
      return;
    }
    long windowMaxTimestamp = r.timestampMs - Math.floorMod(r.timestampMs, Settings.WINDOW_MS) + Settings.WINDOW_MS - 1;
    long watermark = ctx.timerService().currentWatermark();
    if (windowMaxTimestamp <= watermark) {
      lateRecords.inc();
      ctx.output(LATE, Rows.late(r, watermark));
      return;
    }
    out.collect(r);
  }
}

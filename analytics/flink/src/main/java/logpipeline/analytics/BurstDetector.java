package logpipeline.analytics;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Error bursts per host: a host's window with at least {@code burstMin5xx} 5xx responses that are at least
 * {@code burstMinShare} of its requests fires a burst row, then the host stays quiet for
 * {@code burstQuietMinutes} after that window (its state is checkpointed, so a restart does not fire twice).
 * A host's windows arrive in event-time order: each fires when the watermark passes its end.
 */
public class BurstDetector extends KeyedProcessFunction<String, WindowRow, String> {
  private static final long serialVersionUID = 1L;
  private final long minCount;
  private final double minShare;
  private final long quietMs;
  private transient ValueState<Long> quietUntil;
  /** ErrorBursts per host, in the group MSF publishes (see WindowMetrics). */
  private transient java.util.Map<String, org.apache.flink.metrics.Counter> bursts;

  public BurstDetector(Settings s) {
    this.minCount = s.burstMin5xx;
    this.minShare = s.burstMinShare;
    this.quietMs = s.burstQuietMinutes * Settings.WINDOW_MS;
  }

  @Override
  public void open(OpenContext openContext) {
    quietUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("quiet-until", Long.class));
    bursts = new java.util.HashMap<>();
  }

  @Override
  public void processElement(WindowRow w, Context ctx, Collector<String> out) throws Exception {
    if (w.status5xx < minCount || w.share5xx() < minShare) return;
    Long until = quietUntil.value();
    if (until != null && w.windowStartMs < until) return;
    long next = w.windowEndMs + quietMs;
    quietUntil.update(next);
    bursts.computeIfAbsent(w.key, host -> getRuntimeContext().getMetricGroup().addGroup(WindowMetrics.GROUP).addGroup("Host", host).counter("ErrorBursts")).inc();
    out.collect(Rows.burst(w, next));
  }
}

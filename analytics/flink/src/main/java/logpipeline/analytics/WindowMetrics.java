package logpipeline.analytics;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Each overall and per-app window as gauges of the latest closed window (Requests, Status5xx, Share5xx), in the
 * metric group Managed Service for Apache Flink sends to CloudWatch: metrics under the group key
 * "KinesisAnalytics" are published, the user-scope groups below it (here App) as dimensions ("Use custom metrics
 * with Amazon Managed Service for Apache Flink",
 * https://docs.aws.amazon.com/managed-flink/latest/java/monitoring-metrics-custom.html). They change when a
 * window fires, not when its exactly-once row is committed, so they do not wait for a checkpoint.
 */
public class WindowMetrics extends RichMapFunction<WindowRow, String> {
  private static final long serialVersionUID = 1L;
  /** The group key MSF publishes. */
  public static final String GROUP = "KinesisAnalytics";

  private transient MetricGroup group;
  /** Per App dimension value ("" for overall): {requests, status5xx, share5xx} of its latest window. */
  private transient Map<String, double[]> latest;

  @Override
  public void open(OpenContext openContext) {
    group = getRuntimeContext().getMetricGroup().addGroup(GROUP);
    latest = new HashMap<>();
  }

  @Override
  public String map(WindowRow w) {
    String id = Dimensioned.OVERALL.equals(w.dimension) ? "" : Dimensioned.APP.equals(w.dimension) ? w.key : null;
    if (id != null) {
      double[] v = latest.computeIfAbsent(id, this::register);
      v[0] = w.requests;
      v[1] = w.status5xx;
      v[2] = w.share5xx();
    }
    return w.json;
  }

  private double[] register(String app) {
    double[] v = new double[3];
    MetricGroup g = app.isEmpty() ? group : group.addGroup("App", app);
    g.gauge("Requests", (Gauge<Double>) () -> v[0]);
    g.gauge("Status5xx", (Gauge<Double>) () -> v[1]);
    g.gauge("Share5xx", (Gauge<Double>) () -> v[2]);
    return v;
  }
}

package logpipeline.analytics;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a window's {@link MinuteStats} into its row, with the window's event-time bounds. */
public class WindowResult extends ProcessWindowFunction<MinuteStats, WindowRow, String, TimeWindow> {
  private static final long serialVersionUID = 1L;
  private final int topPaths;

  public WindowResult(int topPaths) {
    this.topPaths = topPaths;
  }

  @Override
  public void process(String groupKey, Context context, Iterable<MinuteStats> elements, Collector<WindowRow> out) {
    int sep = groupKey.indexOf('\u0001');
    MinuteStats stats = elements.iterator().next();
    out.collect(Rows.window(groupKey.substring(0, sep), groupKey.substring(sep + 1), context.window().getStart(), context.window().getEnd(), stats, topPaths));
  }
}

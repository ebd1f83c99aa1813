package logpipeline.analytics;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Incremental aggregation of one window: the window keeps one {@link MinuteStats}, not its records. */
public class MinuteAggregate implements AggregateFunction<Dimensioned, MinuteStats, MinuteStats> {
  private static final long serialVersionUID = 1L;

  @Override
  public MinuteStats createAccumulator() {
    return new MinuteStats();
  }

  @Override
  public MinuteStats add(Dimensioned value, MinuteStats acc) {
    acc.add(value.record);
    return acc;
  }

  @Override
  public MinuteStats getResult(MinuteStats acc) {
    return acc;
  }

  @Override
  public MinuteStats merge(MinuteStats a, MinuteStats b) {
    return a.merge(b);
  }
}

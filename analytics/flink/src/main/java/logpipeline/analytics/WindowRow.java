package logpipeline.analytics;

import java.io.Serializable;

/** One window's result for one dimension key, before it becomes a JSON row ({@link Rows}). */
public class WindowRow implements Serializable {
  private static final long serialVersionUID = 1L;

  public long windowStartMs;
  public long windowEndMs;
  public String dimension;
  public String key;
  public long requests;
  public long status5xx;
  /** The row as JSON (kind "window"). */
  public String json;

  public WindowRow() {}

  /** 5xx / requests, or 0 without requests. */
  public double share5xx() {
    return requests == 0 ? 0.0 : (double) status5xx / requests;
  }
}

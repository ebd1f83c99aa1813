package logpipeline.analytics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one window of one dimension key accumulates; merged by {@link MinuteAggregate}. */
public class MinuteStats implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Severities counted as errors (syslog's err and worse; common JSON logger level names). */
  static final Set<String> ERROR_SEVERITIES = Set.of("emerg", "alert", "crit", "err", "error", "critical", "fatal", "panic");

  public long records;
  /** Records with an HTTP status (access-log lines). */
  public long requests;
  public long status2xx;
  public long status3xx;
  public long status4xx;
  public long status5xx;
  public long severityRecords;
  public long errorSeverity;
  /** Response sizes, value to count: exact percentiles. */
  public HashMap<Long, Long> bytes = new HashMap<>();
  public HashMap<String, Long> requestsByPath = new HashMap<>();
  public HashMap<String, Long> errorsByPath = new HashMap<>();

  public void add(LogRecord r) {
    records++;
    if (r.status != null) {
      requests++;
      int s = r.status;
      if (s >= 200 && s < 300) status2xx++;
      else if (s >= 300 && s < 400) status3xx++;
      else if (s >= 400 && s < 500) status4xx++;
      else if (s >= 500 && s < 600) status5xx++;
      if (r.path != null) {
        requestsByPath.merge(r.path, 1L, Long::sum);
        if (s >= 500 && s < 600) errorsByPath.merge(r.path, 1L, Long::sum);
      }
      if (r.bytes != null) bytes.merge(r.bytes, 1L, Long::sum);
    }
    if (r.severity != null) {
      severityRecords++;
      if (ERROR_SEVERITIES.contains(r.severity.toLowerCase(java.util.Locale.ROOT))) errorSeverity++;
    }
  }

  public MinuteStats merge(MinuteStats o) {
    records += o.records;
    requests += o.requests;
    status2xx += o.status2xx;
    status3xx += o.status3xx;
    status4xx += o.status4xx;
    status5xx += o.status5xx;
    severityRecords += o.severityRecords;
    errorSeverity += o.errorSeverity;
    o.bytes.forEach((k, v) -> bytes.merge(k, v, Long::sum));
    o.requestsByPath.forEach((k, v) -> requestsByPath.merge(k, v, Long::sum));
    o.errorsByPath.forEach((k, v) -> errorsByPath.merge(k, v, Long::sum));
    return this;
  }

  /** Nearest-rank percentile (the smallest value with at least p% of values at or below it); null without values. */
  public Long bytesPercentile(double p) {
    long n = 0;
    for (long c : bytes.values()) n += c;
    if (n == 0) return null;
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
    List<Long> values = new ArrayList<>(bytes.keySet());
    values.sort(null);
    long seen = 0;
    for (Long v : values) {
      seen += bytes.get(v);
      if (seen >= rank) return v;
    }
    return values.get(values.size() - 1);
  }

  /** The top n entries by count, ties by path. */
  public static List<Map.Entry<String, Long>> top(Map<String, Long> counts, int n) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : Long.compare(b.getValue(), a.getValue()));
    return entries.subList(0, Math.min(n, entries.size()));
  }
}

package logpipeline.analytics;

import java.io.Serializable;

/** A record under one of the dimensions it counts in: overall, its app, its host, its route prefix. */
public class Dimensioned implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String OVERALL = "overall";
  public static final String APP = "app";
  public static final String HOST = "host";
  public static final String ROUTE = "route";
  /** The key of a record that has no value for the dimension (an access-log line names no app or host). */
  public static final String NONE = "-";

  public String dimension;
  public String key;
  public LogRecord record;

  public Dimensioned() {}

  public Dimensioned(String dimension, String key, LogRecord record) {
    this.dimension = dimension;
    this.key = key;
    this.record = record;
  }

  public String groupKey() {
    return dimension + '\u0001' + key;
  }

  /** The first segment of a request path, without query or fragment: "/api/users/7?x=1" is "/api". */
  public static String routePrefix(String path) {
    if (path == null || path.isEmpty()) return null;
    int end = path.length();
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String p = path.substring(0, end);
    if (!p.startsWith("/")) return p.isEmpty() ? "/" : p; // an absolute-form or '*' target counts as itself
    int next = p.indexOf('/', 1);
    return next < 0 ? p : p.substring(0, next);
  }
}

package logpipeline.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On MSF the settings come from the runtime properties file, in the shape of the application's EnvironmentProperties. */
class SettingsTest {
  @TempDir Path dir;

  private Path write(String json) throws Exception {
    Path file = dir.resolve("application_properties.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void theLogAnalyticsGroupOfTheRuntimePropertiesFileGivesTheSettings() throws Exception {
    Path file = write("""
        [{"PropertyGroupId": "Other", "PropertyMap": {"bootstrap": "ignored:1"}},
         {"PropertyGroupId": "LogAnalytics", "PropertyMap": {"bootstrap": "b-1.x:9098,b-2.x:9098", "security": "msk-iam",
          "records-topic": "log-records", "output-topic": "log-analytics", "group-id": "g", "checkpoint-interval-ms": "30000"}}]
        """);
    Settings s = Settings.forMain(new String[] {}, file);
    assertEquals("b-1.x:9098,b-2.x:9098", s.bootstrap);
    assertEquals("msk-iam", s.security);
    assertEquals("g", s.groupId);
    assertEquals(30_000L, s.checkpointIntervalMs);
    // Arguments win (the local runs), and without the file the defaults hold.
    assertEquals("localhost:1", Settings.forMain(new String[] {"--bootstrap", "localhost:1"}, file).bootstrap);
    assertEquals("localhost:9092", Settings.forMain(new String[] {}, dir.resolve("absent.json")).bootstrap);
  }

  @Test
  void aFileWithoutTheGroupOrWithABadValueStopsTheJobNamingIt() throws Exception {
    var missing = assertThrows(IllegalArgumentException.class, () -> Settings.fromPropertiesFile(write("[{\"PropertyGroupId\": \"Other\", \"PropertyMap\": {}}]")));
    assertTrue(missing.getMessage().contains("no property group LogAnalytics"), missing.getMessage());
    var bad = assertThrows(IllegalArgumentException.class, () -> Settings.fromPropertiesFile(write("[{\"PropertyGroupId\": \"LogAnalytics\", \"PropertyMap\": {\"delivery\": \"twice\"}}]")));
    assertTrue(bad.getMessage().contains("--delivery"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Settings.fromPropertiesFile(write("{}")));
  }
}

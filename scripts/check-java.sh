#!/usr/bin/env bash
# Fails with instructions unless Java 17 is the runtime found: the one version both JVMs of the local run
# support.
#   - pyspark (Spark 3.5, as in Glue 5.0) runs on Java 8/11/17 ("Spark runs on Java 8/11/17",
#     Spark 3.5 Overview, https://spark.apache.org/docs/3.5.3/); on 21+ it fails inside Spark;
#   - the local Kafka broker (Kafka 4.x) needs Java 17+ for its server (Kafka 4.1 Compatibility, "JDK
#     Compatibility Across Kafka Versions", https://kafka.apache.org/41/getting-started/compatibility).
set -euo pipefail

# -h/--help anywhere: the usage, on stdout, exit 0, before Java is looked for (as the TS commands).
usage() {
  cat <<'USAGE'
usage: bash scripts/check-java.sh

Fails with what to install unless the Java found (JAVA_HOME, else java on the PATH) is 17: Spark 3.5 runs on
8, 11 or 17 and the local Kafka 4 broker needs 17 or later.

options:
  -h, --help  print this help and exit
USAGE
}
for arg in "$@"; do
  if [[ "${arg}" == -h || "${arg}" == --help ]]; then usage; exit 0; fi
done

supported_java_major=17
install_hint="On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless; on macOS: brew install openjdk@17."
install_hint+=" With several Java versions installed, point JAVA_HOME at the 17 one"
install_hint+=" (e.g. export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64)"

java_bin="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_bin="${JAVA_HOME}/bin/java"
fi

if ! command -v "${java_bin}" >/dev/null 2>&1; then
  echo "check-java: ERROR: '${java_bin}' not found; Java ${supported_java_major} is required" \
    "(Spark 3.5 and the Kafka 4 broker both run on it). ${install_hint}" >&2
  exit 1
fi

# `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' (or "1.8.0_392" for Java 8) on stderr.
# sed, not head: head exits after one line, and under pipefail the SIGPIPE java gets would fail the check.
version_line="$("${java_bin}" -version 2>&1 | sed -n 1p)"
version="$(sed -E 's/.*version "([^"]+)".*/\1/' <<<"${version_line}")"
major="${version%%.*}"
if [[ "${major}" == "1" ]]; then
  major="$(cut -d. -f2 <<<"${version}")"
fi
if ! [[ "${major}" =~ ^[0-9]+$ ]]; then
  echo "check-java: ERROR: cannot read the Java version from '${version_line}'. ${install_hint}" >&2
  exit 1
fi
if (( major < supported_java_major )); then
  echo "check-java: ERROR: Java ${version} found at $(command -v "${java_bin}"); Java ${supported_java_major} is required" \
    "(the Kafka 4 broker needs 17 or later). ${install_hint}" >&2
  exit 1
fi
if (( major > supported_java_major )); then
  echo "check-java: ERROR: Java ${version} found at $(command -v "${java_bin}"); Java ${supported_java_major} is required:" \
    "Spark 3.5 (the Glue job's runtime) supports Java 8, 11 and 17 only, and fails on ${major}. ${install_hint}" >&2
  exit 1
fi
echo "check-java: Java ${version} ($(command -v "${java_bin}"))"

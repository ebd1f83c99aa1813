#!/usr/bin/env bash
# Fails with instructions unless a Java 17+ runtime is available: pyspark (Spark 3.5, as in Glue 5.0)
# starts a JVM, and the local Kafka broker runs on one.
set -euo pipefail

min_java_major=17
install_hint="On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless (or set JAVA_HOME to a JDK ${min_java_major}+)"

java_bin="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_bin="${JAVA_HOME}/bin/java"
fi

if ! command -v "${java_bin}" >/dev/null 2>&1; then
  echo "check-java: ERROR: '${java_bin}' not found; Java ${min_java_major}+ is required by pyspark. ${install_hint}" >&2
  exit 1
fi

# `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' (or "1.8.0_392" for Java 8) on stderr.
version_line="$("${java_bin}" -version 2>&1 | head -n 1)"
version="$(sed -E 's/.*version "([^"]+)".*/\1/' <<<"${version_line}")"
major="${version%%.*}"
if [[ "${major}" == "1" ]]; then
  major="$(cut -d. -f2 <<<"${version}")"
fi
if ! [[ "${major}" =~ ^[0-9]+$ ]]; then
  echo "check-java: ERROR: cannot read the Java version from '${version_line}'. ${install_hint}" >&2
  exit 1
fi
if (( major < min_java_major )); then
  echo "check-java: ERROR: Java ${version} found at $(command -v "${java_bin}"); ${min_java_major}+ is required. ${install_hint}" >&2
  exit 1
fi
echo "check-java: Java ${version} ($(command -v "${java_bin}"))"

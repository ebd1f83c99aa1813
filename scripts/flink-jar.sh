#!/usr/bin/env bash
# Builds the stream analytics job (analytics/flink: Flink 2.2, Java 17) into its shaded jar,
# analytics/flink/target/log-analytics-flink.jar, and writes the classpath that runs its main() on a local
# MiniCluster (the jar plus Flink itself, which the jar leaves to the cluster) to
# analytics/flink/target/classpath.txt. Prints the jar's path as its last line.
#
# Maven comes through the Maven Wrapper (./mvnw), as for the Kafka jars (scripts/kafka-jars.sh). The tests are
# not run here (CI runs them in their own section: ./mvnw -f analytics/flink/pom.xml test).
# Cached: a stamp records a hash of the pom and the sources, so a second run returns at once.
# Usage: bash scripts/flink-jar.sh [--force]
set -euo pipefail

# -h/--help anywhere: the usage, on stdout, exit 0, before anything is checked or built (as the TS commands).
usage() {
  cat <<'USAGE'
usage: bash scripts/flink-jar.sh [--force]

Builds the stream analytics job (analytics/flink) into analytics/flink/target/log-analytics-flink.jar with
./mvnw, and its local classpath; prints the jar's path as its last line. Returns at once when the jar is current.

options:
  --force     rebuild even when the jar is current
  -h, --help  print this help and exit
USAGE
}
for arg in "$@"; do
  if [[ "${arg}" == -h || "${arg}" == --help ]]; then usage; exit 0; fi
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="${repo_root}/analytics/flink"
target="${module}/target"
jar="${target}/log-analytics-flink.jar"
classpath="${target}/classpath.txt"
stamp="${target}/.sources.sha256"

fail() {
  echo "flink-jar: ERROR: $*" >&2
  exit 1
}

force=false
for arg in "$@"; do
  case "${arg}" in
    --force) force=true ;;
    *) fail "unknown argument '${arg}' (usage: bash scripts/flink-jar.sh [--force])" ;;
  esac
done

bash "${repo_root}/scripts/check-java.sh" >&2

wanted_stamp="$(cd "${module}" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
if [[ "${force}" == false && -f "${stamp}" && "$(cat "${stamp}")" == "${wanted_stamp}" && -f "${jar}" && -f "${classpath}" ]]; then
  echo "flink-jar: ${jar#"${repo_root}"/} is up to date" >&2
  echo "${jar}"
  exit 0
fi

mvnw="${repo_root}/mvnw"
[[ -x "${mvnw}" ]] || fail "the Maven Wrapper (mvnw) is missing from ${repo_root}"
echo "flink-jar: building ${jar#"${repo_root}"/} with ./mvnw (the first build fetches Flink from Maven Central, about 100 MB)" >&2
rm -f "${stamp}"
if ! "${mvnw}" -q -B -ntp -f "${module}/pom.xml" package -DskipTests >&2; then
  fail "./mvnw package failed (see above); Maven Central must be reachable on the first build"
fi
# Every scope but test: the jar's own dependencies and the provided Flink runtime and logging.
if ! "${mvnw}" -q -B -ntp -f "${module}/pom.xml" dependency:build-classpath -DincludeScope=compile \
  -Dmdep.outputFile="${classpath}.deps" >&2; then
  fail "./mvnw dependency:build-classpath failed (see above)"
fi
printf '%s:%s\n' "${jar}" "$(cat "${classpath}.deps")" > "${classpath}"
rm -f "${classpath}.deps"
[[ -f "${jar}" ]] || fail "Maven finished but ${jar} is missing"
echo "${wanted_stamp}" > "${stamp}"
echo "flink-jar: built ${jar#"${repo_root}"/} ($(( $(stat -c %s "${jar}") / 1024 / 1024 )) MiB)" >&2
echo "${jar}"

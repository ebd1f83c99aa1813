#!/usr/bin/env bash
# Fetches the local Kafka broker's jars (local/kafka/pom.xml: Apache Kafka 4.x, its console tools and a
# log4j2 backend) from Maven Central into .local/kafka/lib (git-ignored), and prints that folder's path
# as its last line.
#
# Maven comes through the Maven Wrapper (./mvnw, .mvn/wrapper/maven-wrapper.properties): a fresh machine has
# Java, not Maven. On first use the wrapper downloads the pinned Maven from Maven Central with curl or wget
# into ~/.m2/wrapper (or $MAVEN_USER_HOME/wrapper); an installed mvn is not used.
#
# Cached: a stamp records a hash of the pom, so a second run returns at once without Maven or network.
# Usage: bash scripts/kafka-jars.sh [--force]
set -euo pipefail

# -h/--help anywhere: the usage, on stdout, exit 0, before anything is checked or fetched (as the TS commands).
usage() {
  cat <<'USAGE'
usage: bash scripts/kafka-jars.sh [--force]

Fetches the local Kafka broker's jars (local/kafka/pom.xml) from Maven Central with ./mvnw into
.local/kafka/lib, and prints that folder's path as its last line. Returns at once when the jars are current.

options:
  --force     fetch again even when the jars are current
  -h, --help  print this help and exit
USAGE
}
for arg in "$@"; do
  if [[ "${arg}" == -h || "${arg}" == --help ]]; then usage; exit 0; fi
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="${repo_root}/local/kafka/pom.xml"
lib_dir="${repo_root}/.local/kafka/lib"
stamp="${lib_dir}/.pom.sha256"

fail() {
  echo "kafka-jars: ERROR: $*" >&2
  exit 1
}

force=false
for arg in "$@"; do
  case "${arg}" in
    --force) force=true ;;
    *) fail "unknown argument '${arg}' (usage: bash scripts/kafka-jars.sh [--force])" ;;
  esac
done

[[ -f "${pom}" ]] || fail "${pom} not found"

# Runs in separate folders (npm run local -- --dir) share these jars: one fetch at a time, the others wait
# for it and then find the jars up to date. flock is util-linux's; without it (macOS) there is no waiting.
mkdir -p "$(dirname "${lib_dir}")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"${lib_dir}.lock"
  flock 9
fi
# The broker runs on the JVM; check-java.sh says what to install when it is missing or too old.
bash "${repo_root}/scripts/check-java.sh" >&2

wanted_stamp="$(sha256sum "${pom}" | cut -d' ' -f1)"
if [[ "${force}" == false && -f "${stamp}" && "$(cat "${stamp}")" == "${wanted_stamp}" ]] \
  && compgen -G "${lib_dir}/kafka_2.13-*.jar" >/dev/null; then
  echo "kafka-jars: ${lib_dir#"${repo_root}"/} is up to date ($(find "${lib_dir}/" -name '*.jar' | wc -l) jars)" >&2
  echo "${lib_dir}"
  exit 0
fi

mvnw="${repo_root}/mvnw"
[[ -x "${mvnw}" && -f "${repo_root}/.mvn/wrapper/maven-wrapper.properties" ]] \
  || fail "the Maven Wrapper (mvnw, .mvn/wrapper/maven-wrapper.properties) is missing from ${repo_root}"

# Into a fresh folder first, then swapped in: an interrupted fetch never leaves a half-filled lib/.
staging="${lib_dir}.partial"
rm -rf "${staging}"
mkdir -p "${staging}"
maven_home="${MAVEN_USER_HOME:-${HOME}/.m2}/wrapper/dists"
if ! compgen -G "${maven_home}/apache-maven-*" >/dev/null; then
  echo "kafka-jars: the Maven Wrapper first downloads Maven itself (about 9 MB, once, into ${maven_home})" >&2
fi
echo "kafka-jars: fetching the jars of ${pom#"${repo_root}"/} from Maven Central (once; about 44 MB, up to a minute)" >&2
if ! "${mvnw}" -q -B -f "${pom}" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="${staging}" >&2; then
  rm -rf "${staging}"
  fail "./mvnw dependency:copy-dependencies failed (see above)." \
    "The wrapper downloads Maven (distributionUrl in .mvn/wrapper/maven-wrapper.properties) with curl or wget," \
    "then Maven fetches the jars: Maven Central must be reachable, and curl or wget installed" \
    "(On Debian/Ubuntu: sudo apt-get install -y curl)"
fi
compgen -G "${staging}/kafka_2.13-*.jar" >/dev/null || fail "Maven finished but no kafka_2.13 jar was copied"
echo "${wanted_stamp}" > "${staging}/.pom.sha256"
rm -rf "${lib_dir}"
mv "${staging}" "${lib_dir}"
echo "kafka-jars: $(find "${lib_dir}/" -name '*.jar' | wc -l) jars in ${lib_dir#"${repo_root}"/}" >&2
echo "${lib_dir}"

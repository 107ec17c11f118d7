# Sourced by the infra scripts: the repository's Python environment (.venv) with the pinned
# tools of infra/requirements.txt (moto server, cargo-lambda, cfn-lint, zig).

# ensure_venv ROOT: creates ROOT/.venv with Python 3.11 when missing, and installs
# infra/requirements.txt whenever it differs from what was last installed.
ensure_venv() {
  local root=$1
  local venv="$root/.venv"
  local requirements="$root/infra/requirements.txt"
  local installed="$venv/installed-requirements.txt"
  if [[ ! -x "$venv/bin/python" ]]; then
    local python
    python=$(command -v python3.11 || command -v python3 || true)
    if [[ -z "$python" ]]; then
      echo "Python 3.11 is needed to create $venv (python3.11 or python3 on PATH)" >&2
      return 1
    fi
    echo "creating $venv with $python" >&2
    "$python" -m venv "$venv"
  fi
  if ! cmp -s "$requirements" "$installed"; then
    echo "installing infra/requirements.txt into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$installed"
  fi
}

"""The security audit (scripts/security-audit) passes: no advisory against the pinned requirements
that docs/security-audit.md has not reviewed, and no security lint finding that ruff-security.toml
does not justify. Its tools are installed once into .venv-audit from PyPI; without PyPI this test
fails (it is never skipped)."""
import subprocess
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "security-audit"


def test_the_security_audit_passes():
    started = time.monotonic()
    result = subprocess.run([str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    output = f"{result.stdout}\n{result.stderr}"
    if result.returncode == 2:
        raise AssertionError(f"the audit tools could not be installed from PyPI, so nothing was audited:\n{output}")
    assert result.returncode == 0, f"scripts/security-audit failed (exit {result.returncode}); " \
                                   f"docs/security-audit.md says what to do:\n{output}"
    assert "Security audit passed" in result.stdout, output
    if "ADVISORY DATA UNREACHABLE" in result.stdout:
        # Passing, but on the reviewed pin set only: say so in the test summary.
        warnings.warn("security audit: PyPI's advisory data was unreachable; requirements.txt is the reviewed pin "
                      "set, but advisories published since the review were not looked up", stacklevel=1)
    print(output, f"(ran in {time.monotonic() - started:.1f} s)")


def test_every_lint_exception_is_justified_beside_it():
    config = (ROOT / "ruff-security.toml").read_text(encoding="utf-8").splitlines()
    in_ignores = False
    for number, line in enumerate(config, 1):
        if line.startswith("["):
            in_ignores = line.strip() == "[lint.per-file-ignores]"
            continue
        if in_ignores and line.startswith('"'):
            assert "# expect:" in line, f"ruff-security.toml:{number}: an exception without its count"
            reason, above = "", number - 2
            while above >= 0 and config[above].startswith("#"):
                reason, above = config[above] + reason, above - 1
            assert len(reason) > 40, f"ruff-security.toml:{number}: an exception without its reason on the lines above"
    assert not [line for line in config if line.strip().startswith(("ignore", "extend-ignore"))], \
        "rules are waived per file, each with its reason, never everywhere"

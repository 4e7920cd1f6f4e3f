//! Writing an export to `--out FILE` so that nothing is lost on the way (SPEC §11): the text
//! goes to a new file beside the target, readable by its owner only, and takes the target's
//! name only once it is whole. A full disk or any other failure leaves the previous file as
//! it was. A symbolic link at the target is refused rather than followed, so an export never
//! lands somewhere the user did not name.

use std::io::Write;
use std::path::Path;

use fleetward_core::Error;

/// Writes `text` to `path` atomically; on failure `path` is untouched and no stray file stays.
pub fn write(path: &Path, text: &str) -> Result<(), Error> {
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(Error::InvalidInput(format!(
            "{} is a symbolic link; exports are not written through links. Give the path of \
             a regular file or a new name.",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{} is a folder. Give a file name for the export, such as {}.",
            path.display(),
            path.join("export.csv").display()
        )));
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let failed = |e: std::io::Error| written_error(path, e);
    // `tempfile` creates the file owner-only (0600) with a name no one else can predict; it
    // is removed if anything below fails.
    let mut file = tempfile::Builder::new()
        .prefix(".fleetward-export-")
        .tempfile_in(folder)
        .map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

fn written_error(path: &Path, e: std::io::Error) -> Error {
    let previous = if path.exists() {
        " The previous file was left as it was."
    } else {
        ""
    };
    if is_disk_full(&e) {
        return Error::Internal(format!(
            "The export could not be written to {}: the disk is full ({e}).{previous} Free some \
             space, or give --out a path on another disk, and export again.",
            path.display()
        ));
    }
    Error::InvalidInput(format!(
        "The export could not be written to {} ({e}).{previous} Check the folder exists and is \
         writable.",
        path.display()
    ))
}

/// ENOSPC, a quota (EDQUOT) or a file-size limit (EFBIG) on Unix; ERROR_DISK_FULL and
/// ERROR_HANDLE_DISK_FULL on Windows.
fn is_disk_full(e: &std::io::Error) -> bool {
    if matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull
            | std::io::ErrorKind::QuotaExceeded
            | std::io::ErrorKind::FileTooLarge
    ) {
        return true;
    }
    #[cfg(windows)]
    return matches!(e.raw_os_error(), Some(39 | 112));
    #[cfg(not(windows))]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_replaces_the_previous_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tickets.csv");
        std::fs::write(&path, "old,file\n").unwrap();
        write(&path, "new,file\nrow,2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new,file\nrow,2\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("tickets.csv")]);
    }

    #[cfg(unix)]
    #[test]
    fn an_export_is_readable_by_its_owner_only_even_where_one_existed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.json");
        std::fs::write(&path, "[]").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&path, "[1]").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_target_is_refused_and_what_it_points_to_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("important.txt");
        std::fs::write(&elsewhere, "keep me").unwrap();
        let link = dir.path().join("export.csv");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let err = write(&link, "a,b\n").unwrap_err();
        assert_eq!(err.kind(), fleetward_core::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep me");
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    }

    #[test]
    fn a_folder_as_the_target_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let err = write(dir.path(), "x").unwrap_err();
        assert_eq!(err.kind(), fleetward_core::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("is a folder"), "{err}");
    }
}
